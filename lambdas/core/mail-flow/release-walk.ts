import { randomUUID } from 'node:crypto';
import type { DeliveryJob, ReleaseWalkJob } from '../../adapters/delivery-queue';
import type { Item } from '../entities/keys';
import { normalizeDomain } from '../entities/domain';
import { deliverMessage, type DeliverDeps } from './deliver-message';
import { heldFromItem, heldKey, heldPartition } from './held';
import { flowPartition } from './status';

/**
 * Why a walker, not one queue message per released item: the cloud delivery queue is a standard
 * SQS queue (per-message delays for retries with backoff need one), and a standard queue hands
 * messages to parallel Lambda invocations in no particular order. A FIFO queue keeps order but
 * has no per-message delay, so it could not rate-limit a release, and its deduplication lasts
 * five minutes only. So a release marks the held items and queues one walk job per domain; the
 * walk delivers the marked items one after another in sort-key order, which is receipt order,
 * and only deferrals go back to the queue (with backoff). A lease on FLOW#<domain>/RELEASE,
 * written compare-and-set, makes sure only one walk per domain runs at a time, in the cloud and
 * locally alike; the walk hands the lease to its own continuation between rate-limited batches.
 */

/** Longer than the deliver function's timeout (60 s): a walk that crashed frees the domain after this. */
export const LEASE_MS = 90_000;
/**
 * One invocation starts no new delivery after this long and continues in a new one: the deliver
 * function times out at 60 s, and one SMTP transaction to a slow server can take tens of seconds
 * before the relay's timeouts give up on it.
 */
export const WALK_BUDGET_MS = 20_000;
export const DEFAULT_RELEASE_PER_MINUTE = 60;

/** The held item's mark: released by an admin, waiting for the walk. */
export const RELEASE_MARK = 'releaseRequested';

export interface WalkDeps extends DeliverDeps {
  /** Released messages per minute; default 60. */
  releasePerMinute?: number;
  walkBudgetMs?: number;
  newToken?: () => string;
}

interface Lease {
  owner: string;
  /** Epoch ms; a lease past this is free. */
  until: number;
  version: number;
}

export const leaseKey = (domain: string) => ({ pk: flowPartition(domain), sk: 'RELEASE' });

const leaseFromItem = (item: Item | undefined): Lease | undefined =>
  item
    ? { owner: String(item.owner ?? ''), until: Number(item.until ?? 0), version: Number(item.version ?? 0) }
    : undefined;

const leaseItem = (domain: string, lease: Lease): Item => ({
  ...leaseKey(domain),
  type: 'mail-flow-release-lease',
  ...lease,
});

/** The first job of a walk (no token) or a continuation (carrying the token the lease was handed to). */
export const releaseWalkJob = (domain: string, token?: string): ReleaseWalkJob => ({
  kind: 'release-walk',
  domain: normalizeDomain(domain),
  ...(token ? { token } : {}),
});

export type WalkOutcome = 'busy' | 'done' | 'continues' | 'lost-lease';

export interface WalkResult {
  outcome: WalkOutcome;
  /** Held messages this invocation tried to deliver, in the order it tried them. */
  tried: string[];
}

/**
 * One invocation of a domain's release walk: takes the lease, delivers up to `releasePerMinute`
 * marked held messages in receipt order (each removed from the hold after its attempt, so a crash
 * repeats the attempt and deliverMessage finds it already done), then either hands the lease to a
 * continuation queued a minute after it started, or frees the lease when nothing marked is left.
 */
export async function walkRelease(deps: WalkDeps, job: ReleaseWalkJob): Promise<WalkResult> {
  const domain = normalizeDomain(job.domain);
  const newToken = deps.newToken ?? randomUUID;
  const me = newToken();
  const now = () => deps.clock.now().getTime();
  const readLease = async () => leaseFromItem(await deps.table.get(leaseKey(domain)));
  const writeLease = (lease: Omit<Lease, 'version'>, readVersion: number | undefined) =>
    deps.table.put(leaseItem(domain, { ...lease, version: (readVersion ?? 0) + 1 }), {
      ifMatches: { version: readVersion ?? null },
    });

  // Take the lease: it is free, expired, or was handed to this continuation.
  let version: number;
  for (;;) {
    const lease = await readLease();
    const handedToMe = job.token !== undefined && lease?.owner === job.token;
    if (lease && lease.until > now() && !handedToMe) {
      // Another walk runs. Bumping its version makes it look again before it frees the lease,
      // so the items this release marked are not left behind; then this job is not needed.
      if (
        await deps.table.put(leaseItem(domain, { ...lease, version: lease.version + 1 }), {
          ifMatches: { version: lease.version },
        })
      )
        return { outcome: 'busy', tried: [] };
      continue;
    }
    if (await writeLease({ owner: me, until: now() + LEASE_MS }, lease?.version)) {
      version = (lease?.version ?? 0) + 1;
      break;
    }
  }

  const started = now();
  const perMinute = deps.releasePerMinute ?? DEFAULT_RELEASE_PER_MINUTE;
  const budget = deps.walkBudgetMs ?? WALK_BUDGET_MS;
  const tried: string[] = [];

  /** Re-reads the lease after a failed compare-and-set: still ours (only poked), or lost. */
  const stillMine = async (): Promise<boolean> => {
    const lease = await readLease();
    if (!lease || lease.owner !== me) return false;
    version = lease.version;
    return true;
  };

  for (;;) {
    let full = false;
    let cursor: string | undefined;
    walk: do {
      const page = await deps.table.query(heldPartition(domain), {
        cursor,
        limit: 100,
        where: [{ attribute: RELEASE_MARK, equals: true }],
      });
      for (const item of page.items) {
        if (tried.length >= perMinute || now() - started >= budget) {
          full = true;
          break walk;
        }
        const held = heldFromItem(item);
        const delivery: DeliveryJob = {
          sesMessageId: held.sesMessageId,
          domain,
          recipients: held.recipients,
          envelopeSender: held.envelopeFrom,
          receivedAt: held.receivedAt.toISOString(),
          attempt: 1,
          released: true,
        };
        await deliverMessage(deps, delivery);
        // Removed after the attempt, not before: a crash in between repeats the attempt, which
        // finds the message settled (or defers it again) instead of losing it.
        await deps.table.delete(heldKey(held));
        tried.push(held.sesMessageId);
      }
      cursor = page.nextCursor;
    } while (cursor);

    if (full) {
      // Rate limit: the next batch starts a minute after this one did, in a new invocation.
      const token = newToken();
      const delayMs = Math.max(0, 60_000 - (now() - started));
      while (!(await writeLease({ owner: token, until: now() + delayMs + LEASE_MS }, version))) {
        if (!(await stillMine())) return { outcome: 'lost-lease', tried };
      }
      await deps.queue.enqueue(releaseWalkJob(domain, token), delayMs / 1000);
      return { outcome: 'continues', tried };
    }
    // Nothing marked is left: free the lease, unless a new release poked it meanwhile.
    if (await writeLease({ owner: '', until: 0 }, version)) return { outcome: 'done', tried };
    if (!(await stillMine())) return { outcome: 'lost-lease', tried };
  }
}
