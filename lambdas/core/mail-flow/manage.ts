import type { DeliveryQueue } from '../../adapters/delivery-queue';
import type { Page, Table } from '../../adapters/table';
import type { Clock } from '../clock';
import { requireDomain } from '../domains/domains';
import { domainToItem } from '../entities/domain';
import { badRequest } from '../errors';
import {
  heldExpiresAt,
  heldFromItem,
  heldKey,
  heldPartition,
  parseHeldSortKey,
  releaseBatches,
  type HeldMessage,
} from './held';
import {
  DEFAULT_MAIL_FLOW,
  mailFlowAction,
  PORT_25_WARNING,
  usesPort25,
  type MailFlowSettings,
} from './settings';
import { attemptFromItem, attemptQuery, mailFlowStatus } from './status';

export interface ManageDeps {
  table: Table;
  clock: Clock;
  /** Read only when held mail is released. */
  queue?: DeliveryQueue;
  /** Released messages per minute; default 60. */
  releasePerMinute?: number;
}

export const DEFAULT_RELEASE_PER_MINUTE = 60;

const presentHeld = (held: HeldMessage) => ({
  id: heldKey(held).sk,
  receivedAt: held.receivedAt.toISOString(),
  sesMessageId: held.sesMessageId,
  envelopeFrom: held.envelopeFrom,
  recipients: held.recipients,
  size: held.size,
  expiresAt: heldExpiresAt(held).toISOString(),
});

/** The Mail Flow tab: settings, Good/Bad status with the last replies, and the held queue. */
export async function mailFlowOverview(deps: ManageDeps, name: string) {
  const domain = await requireDomain(deps, name);
  const settings = domain.mailFlow ?? { ...DEFAULT_MAIL_FLOW };
  const q = attemptQuery(domain.name);
  const attempts = await deps.table.query(q.pk, {
    beginsWith: q.skPrefix,
    descending: q.newestFirst,
    limit: q.limit,
  });
  const report = mailFlowStatus(attempts.items.map(attemptFromItem), settings.goodThreshold);
  const pk = heldPartition(domain.name);
  const [count, oldest] = await Promise.all([deps.table.count(pk), deps.table.query(pk, { limit: 1 })]);
  return {
    settings,
    ...(usesPort25(settings) ? { warning: PORT_25_WARNING } : {}),
    status: {
      state: report.status === 'Good' ? 'good' : 'bad',
      attempts: report.attempts,
      successes: report.succeeded,
      successRate: report.successRate,
      lastReplies: report.lastReplies,
    },
    held: {
      count,
      oldest: oldest.items[0] ? heldFromItem(oldest.items[0]).receivedAt.toISOString() : null,
    },
  };
}

/** Held mail in receipt order, a page at a time. */
export async function listHeld(deps: ManageDeps, name: string, page: { limit?: number; cursor?: string }) {
  const domain = await requireDomain(deps, name);
  const result: Page<unknown> = await deps.table
    .query(heldPartition(domain.name), { limit: page.limit ?? 50, cursor: page.cursor })
    .then((p) => ({
      items: p.items.map((item) => presentHeld(heldFromItem(item))),
      nextCursor: p.nextCursor,
    }));
  return result;
}

async function allHeld(deps: ManageDeps, domain: string): Promise<HeldMessage[]> {
  const out: HeldMessage[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.table.query(heldPartition(domain), { cursor });
    out.push(...page.items.map(heldFromItem));
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/**
 * Releases held mail to the delivery queue in receipt order, rate-limited. Each item is claimed
 * with a conditional delete before it is queued, so a second release (a double click, a retried
 * request) finds nothing left and queues nothing twice.
 */
export async function releaseHeld(
  deps: ManageDeps,
  name: string,
  which: { all: true } | { ids: string[] },
): Promise<{ released: number }> {
  const domain = await requireDomain(deps, name);
  let items: HeldMessage[];
  if ('all' in which) {
    items = await allHeld(deps, domain.name);
  } else {
    const keys = which.ids.map((id) => {
      const parsed = parseHeldSortKey(id);
      if (!parsed) throw badRequest(`"${id}" is not a held message id.`);
      return heldKey({ domain: domain.name, ...parsed });
    });
    items = (await deps.table.getAll(keys)).map(heldFromItem);
  }
  if (items.length === 0) return { released: 0 };
  if (!deps.queue) throw new Error('No delivery queue is configured');
  const now = deps.clock.now().getTime();
  let released = 0;
  for (const batch of releaseBatches(items, deps.releasePerMinute ?? DEFAULT_RELEASE_PER_MINUTE)) {
    for (const held of batch.items) {
      if (!(await deps.table.delete(heldKey(held), { ifExists: true }))) continue;
      await deps.queue.enqueue(
        {
          sesMessageId: held.sesMessageId,
          domain: domain.name,
          recipients: held.recipients,
          envelopeSender: held.envelopeFrom,
          receivedAt: held.receivedAt.toISOString(),
          attempt: 1,
          ...(batch.offsetMs > 0 ? { notBefore: new Date(now + batch.offsetMs).toISOString() } : {}),
        },
        batch.offsetMs / 1000,
      );
      released++;
    }
  }
  return { released };
}

/** Saves the settings; resuming delivery from a pause releases everything held. */
export async function setMailFlow(
  deps: ManageDeps,
  name: string,
  settings: MailFlowSettings,
): Promise<{ settings: MailFlowSettings; released: number }> {
  const domain = await requireDomain(deps, name);
  const before = domain.mailFlow ?? DEFAULT_MAIL_FLOW;
  await deps.table.put(domainToItem({ ...domain, mailFlow: settings }));
  const resumed = before.inbound === 'paused' && mailFlowAction(settings) === 'deliver';
  const { released } = resumed ? await releaseHeld(deps, domain.name, { all: true }) : { released: 0 };
  return { settings: (await requireDomain(deps, name)).mailFlow ?? settings, released };
}
