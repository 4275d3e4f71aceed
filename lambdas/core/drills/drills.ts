import { randomBytes } from 'node:crypto';
import type { Page } from '../../adapters/table';
import { domainOf } from '../addresses';
import { addDays, epochSeconds } from '../clock';
import type { Domain } from '../entities/domain';
import { notFound } from '../errors';
import {
  isQueued,
  planLinks,
  queuedResults,
  queueLinkJobs,
  sendPlanned,
  type SendLinksDeps,
} from '../invitations/send-links';
import type { UserSelection } from '../invitations/selection';
import {
  drillFromItem,
  drillKey,
  drillToItem,
  participantFromItem,
  participantKey,
  participantPartition,
  participantToItem,
  type Drill,
  type DrillParticipant,
} from './drill-entities';

/** A drill's record is kept for a year, long enough to compare this year's drill with last year's. */
export const DRILL_RETENTION_DAYS = 366;

export type DrillDeps = SendLinksDeps;
/** Reading drills needs only the table. */
type ReadDeps = Pick<DrillDeps, 'table' | 'clock'>;

/** Sortable by start time (milliseconds in 9 base-36 digits), unique by the random tail. */
const newDrillId = (now: Date) =>
  `${now.getTime().toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}`;

export interface DrillSummary extends Drill {
  completed: number;
}

/**
 * Starts a fire drill: one test sign-in link to each selected user's backup address. A large
 * drill is recorded with its participants `queued` before its jobs are queued, so the deliver
 * function finds each participant to mark sent or failed.
 */
export async function startDrill(
  deps: DrillDeps,
  domain: Domain,
  selection: UserSelection,
  startedBy: string,
): Promise<{ drill: DrillSummary; results: DrillParticipant[]; queued: number }> {
  const now = deps.clock.now();
  const drillId = newDrillId(now);
  const expiresAt = epochSeconds(addDays(now, DRILL_RETENTION_DAYS));
  const plan = await planLinks(deps, domain, selection);
  const queued = isQueued(plan);
  const results = queued ? queuedResults(plan) : await sendPlanned(deps, plan, 'drill', drillId);
  const participants: DrillParticipant[] = results.map((r) => ({
    address: r.address,
    status: r.status,
    sent: r.sent,
    ...(r.reason ? { reason: r.reason } : {}),
  }));
  const drill: Drill = {
    drillId,
    domain: domain.name,
    startedAt: now.toISOString(),
    startedBy,
    participants: participants.length,
    sent: participants.filter((p) => p.sent).length,
  };
  await deps.table.putAll([
    drillToItem(drill, expiresAt),
    ...participants.map((p) => participantToItem(domain.name, drillId, p, expiresAt)),
  ]);
  if (queued) await queueLinkJobs(deps, domain, plan, 'drill', drillId);
  return {
    drill: { ...drill, completed: 0 },
    results: participants,
    queued: queued ? plan.recipients.length : 0,
  };
}

const completedCount = (deps: ReadDeps, domain: string, drillId: string) =>
  deps.table.count(participantPartition(domain, drillId), {
    where: [{ attribute: 'completedAt', greaterThan: '' }],
    liveAt: deps.clock.now(),
  });

/** Newest first, with how many participants completed each. */
export async function listDrills(
  deps: ReadDeps,
  domain: string,
  page: { limit?: number; cursor?: string },
): Promise<Page<DrillSummary>> {
  const result = await deps.table.query(drillKey(domain, '').pk, {
    descending: true,
    limit: Math.min(page.limit ?? 50, 200),
    cursor: page.cursor,
    liveAt: deps.clock.now(),
  });
  const items = await Promise.all(
    result.items.map(drillFromItem).map(async (drill) => ({
      ...drill,
      completed: await completedCount(deps, domain, drill.drillId),
    })),
  );
  return { items, nextCursor: result.nextCursor };
}

/** One drill and every participant, in address order. */
export async function getDrill(
  deps: ReadDeps,
  domain: string,
  drillId: string,
): Promise<{ drill: DrillSummary; participants: DrillParticipant[] }> {
  const item = await deps.table.get(drillKey(domain, drillId));
  if (!item || Number(item.expiresAt) <= epochSeconds(deps.clock.now())) {
    throw notFound(`No drill ${drillId} in ${domain}.`);
  }
  const participants: DrillParticipant[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.table.query(participantPartition(domain, drillId), { cursor, limit: 500 });
    participants.push(...page.items.map(participantFromItem));
    cursor = page.nextCursor;
  } while (cursor);
  const drill = drillFromItem(item);
  return { drill: { ...drill, completed: participants.filter((p) => p.completedAt).length }, participants };
}

/** Records the first completion of a drill by one participant (a later use keeps the first time). */
/**
 * A drill link was used but the user still has a two-step code to enter: the drill completes
 * only when they are in, so it waits (as long as an MFA challenge lives, with margin).
 */
const PENDING_SIGN_IN_SECONDS = 10 * 60;
const pendingSignInKey = (address: string) => ({
  pk: `DRILL-SIGN-IN#${address.toLowerCase()}`,
  sk: 'PENDING',
});

export async function awaitDrillSignIn(deps: ReadDeps, drillId: string, address: string): Promise<void> {
  await deps.table.put({
    ...pendingSignInKey(address),
    type: 'drill-sign-in',
    drillId,
    expiresAt: epochSeconds(deps.clock.now()) + PENDING_SIGN_IN_SECONDS,
  });
}

/** Called on every completed portal sign-in: finishes a drill whose link started it. */
export async function completePendingDrill(deps: ReadDeps, address: string): Promise<void> {
  const key = pendingSignInKey(address);
  const pending = await deps.table.get(key);
  if (!pending || Number(pending.expiresAt) <= epochSeconds(deps.clock.now())) return;
  await recordDrillCompletion(deps, String(pending.drillId), address);
  await deps.table.delete(key);
}

export async function recordDrillCompletion(deps: ReadDeps, drillId: string, address: string): Promise<void> {
  const key = participantKey(domainOf(address), drillId, address);
  const item = await deps.table.get(key);
  if (!item) return;
  await deps.table.put(
    { ...item, completedAt: deps.clock.now().toISOString() },
    { ifMissing: 'completedAt' },
  );
}
