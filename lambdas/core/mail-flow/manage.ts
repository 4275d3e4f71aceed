import type { DeliveryQueue } from '../../adapters/delivery-queue';
import type { Page, Table } from '../../adapters/table';
import type { Item } from '../entities/keys';
import { logEntryKey } from '../entities/log-entry';
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
  type HeldMessage,
} from './held';
import { RELEASE_MARK, releaseWalkJob } from './release-walk';
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
}

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
  const [count, releasing, oldest] = await Promise.all([
    deps.table.count(pk),
    deps.table.count(pk, { where: [{ attribute: RELEASE_MARK, equals: true }] }),
    deps.table.query(pk, { limit: 1 }),
  ]);
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
      /** Released and on their way, in receipt order; still counted until delivered. */
      releasing,
      oldest: oldest.items[0] ? heldFromItem(oldest.items[0]).receivedAt.toISOString() : null,
    },
  };
}

/** Held mail in receipt order, a page at a time; `releasing` ones wait for the release walk. */
export async function listHeld(deps: ManageDeps, name: string, page: { limit?: number; cursor?: string }) {
  const domain = await requireDomain(deps, name);
  const found = await deps.table.query(heldPartition(domain.name), {
    limit: page.limit ?? 50,
    cursor: page.cursor,
  });
  const held = found.items.map((item) => ({ item, held: heldFromItem(item) }));
  // The subject is on the log entries (one batch read per page), not copied into the hold.
  const logs = await deps.table.getAll(
    held
      .filter(({ held: h }) => h.recipients.length > 0)
      .map(({ held: h }) =>
        logEntryKey({ recipient: h.recipients[0], receivedAt: h.receivedAt, sesMessageId: h.sesMessageId }),
      ),
  );
  const subjects = new Map(logs.map((log) => [String(log.sesMessageId), log.subject]));
  const result: Page<unknown> = {
    items: held.map(({ item, held: h }) => {
      const subject = subjects.get(h.sesMessageId);
      return {
        ...presentHeld(h),
        ...(typeof subject === 'string' ? { subject } : {}),
        releasing: item[RELEASE_MARK] === true,
      };
    }),
    nextCursor: found.nextCursor,
  };
  return result;
}

async function allHeldItems(deps: ManageDeps, domain: string): Promise<Item[]> {
  const out: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.table.query(heldPartition(domain), { cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/**
 * Releases held mail: marks each item released (a conditional write on an item that still
 * exists and is not marked yet) and queues the domain's release walk, which delivers the marked
 * items in receipt order, rate-limited (release-walk.ts says why a walk). A second release (a
 * double click, a retried request) marks nothing new, so nothing is delivered twice.
 */
export async function releaseHeld(
  deps: ManageDeps,
  name: string,
  which: { all: true } | { ids: string[] },
): Promise<{ released: number }> {
  const domain = await requireDomain(deps, name);
  let items: Item[];
  if ('all' in which) {
    items = await allHeldItems(deps, domain.name);
  } else {
    const keys = which.ids.map((id) => {
      const parsed = parseHeldSortKey(id);
      if (!parsed) throw badRequest(`"${id}" is not a held message id.`);
      return heldKey({ domain: domain.name, ...parsed });
    });
    items = await deps.table.getAll(keys);
  }
  const at = deps.clock.now().toISOString();
  let released = 0;
  for (const item of items) {
    if (item[RELEASE_MARK] === true) continue;
    const marked = { ...item, [RELEASE_MARK]: true, releaseRequestedAt: at };
    if (await deps.table.put(marked, { ifMissing: RELEASE_MARK })) released++;
  }
  if (released === 0) return { released };
  if (!deps.queue) throw new Error('No delivery queue is configured');
  await deps.queue.enqueue(releaseWalkJob(domain.name));
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
