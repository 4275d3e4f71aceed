import type { SendLinksJob } from '../../adapters/delivery-queue';
import type { Item, ItemKey } from '../entities/keys';
import { normalizeAddress } from '../addresses';
import { loadLinkRecipient, REFUSAL_REASONS } from '../auth/sign-in-links-eligibility';
import { addDays, epochSeconds } from '../clock';
import { normalizeDomain } from '../entities/domain';
import { drillKey, participantKey } from '../drills/drill-entities';
import { LINK_SENDS_PER_SECOND, sendLinkTo, type LinkResult, type SendLinksDeps } from './send-links';

/** The time that paces sends: tests pass one that moves only when told, so pacing is exact. */
export interface PaceClock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface LinkJobDeps extends SendLinksDeps {
  pace?: PaceClock;
}

export interface LinkJobOutcome {
  sent: number;
  failed: number;
  refused: number;
  /** Already handled by an earlier delivery of the job, or not part of it. */
  skipped: number;
  /** Addresses not reached because `shouldStop` said so: queue them again under the same job id. */
  remaining?: string[];
}

/**
 * An address claimed longer ago than this was being mailed by a delivery of the job that died
 * (the deliver function runs at most a minute): it is recorded as failed, not mailed again.
 */
export const STALE_CLAIM_MS = 5 * 60_000;
export const INTERRUPTED_REASON =
  'Sending was interrupted, so the link may not have gone out. Send it again if the user has none.';
/** An invitation job's progress outlives its links (7 days), so no redelivery can resend one. */
const PROGRESS_RETENTION_DAYS = 8;

/**
 * Where a job records each address: a drill's participant item (the drill's list and CSV show
 * it), or for invitations a small progress item per job and address.
 */
const progressKey = (job: SendLinksJob, address: string): ItemKey =>
  job.purpose === 'drill' && job.drillId
    ? participantKey(job.domain, job.drillId, address)
    : { pk: `LINKJOB#${job.jobId}`, sk: normalizeAddress(address) };

type Claim = { claimed: Item } | { claimed?: undefined };

/**
 * Takes the address for this delivery of the job with a conditional write: a second delivery
 * (or a concurrent copy) finds it taken and skips it, so no user gets a link that supersedes
 * the one they already have.
 */
async function claim(deps: LinkJobDeps, job: SendLinksJob, address: string): Promise<Claim> {
  const key = progressKey(job, address);
  const now = deps.clock.now();
  const item = await deps.table.get(key);
  if (!item) {
    // A drill's participants are written before its jobs are queued: none means not a participant.
    if (job.purpose === 'drill') return {};
    const claimed: Item = {
      ...key,
      type: 'link-job-progress',
      address: normalizeAddress(address),
      status: 'sending',
      claimedAt: now.toISOString(),
      expiresAt: epochSeconds(addDays(now, PROGRESS_RETENTION_DAYS)),
    };
    return (await deps.table.put(claimed, { ifAbsent: true })) ? { claimed } : {};
  }
  if (item.status === 'queued') {
    const claimed: Item = { ...item, status: 'sending', claimedAt: now.toISOString() };
    return (await deps.table.put(claimed, { ifMatches: { status: 'queued' } })) ? { claimed } : {};
  }
  const claimedAt = typeof item.claimedAt === 'string' ? Date.parse(item.claimedAt) : NaN;
  if (item.status === 'sending' && now.getTime() - claimedAt > STALE_CLAIM_MS) {
    await finish(deps, item, { address, status: 'failed', sent: false, reason: INTERRUPTED_REASON });
  }
  return {};
}

/** Records the outcome, only over this delivery's own claim. */
async function finish(deps: LinkJobDeps, claimed: Item, result: LinkResult): Promise<void> {
  const record: Item = { ...claimed };
  delete record.reason;
  await deps.table.put(
    {
      ...record,
      status: result.status,
      sent: result.sent,
      ...(result.reason ? { reason: result.reason } : {}),
      ...(result.sent ? { sentAt: deps.clock.now().toISOString() } : {}),
    },
    { ifMatches: { status: 'sending', claimedAt: String(claimed.claimedAt) } },
  );
}

const realPace: PaceClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

/**
 * Mails one queued job's links: each address is claimed, its user re-read and re-checked (they
 * may have changed since the request), mailed with the same code as in-request sends, and the
 * outcome recorded. A failed send is recorded, never retried; the job itself throws only when
 * the table does, and its redelivery skips what is done.
 */
export async function processLinkJob(
  deps: LinkJobDeps,
  job: SendLinksJob,
  /** Asked before each address: true when the function is about to run out of time. */
  shouldStop: () => boolean = () => false,
): Promise<LinkJobOutcome> {
  const outcome: LinkJobOutcome = { sent: 0, failed: 0, refused: 0, skipped: 0 };
  const pace = deps.pace ?? realPace;
  const interval = 1000 / LINK_SENDS_PER_SECOND;
  let lastSendAt = -Infinity;
  const domain = normalizeDomain(job.domain);
  const addresses = job.addresses.map(normalizeAddress);
  for (const [index, address] of addresses.entries()) {
    if (shouldStop()) {
      outcome.remaining = addresses.slice(index);
      break;
    }
    // Only the job's own domain: the claim and the drill's participants are keyed by it.
    if (!address.endsWith(`@${domain}`)) {
      outcome.skipped++;
      continue;
    }
    const { claimed } = await claim(deps, job, address);
    if (!claimed) {
      outcome.skipped++;
      continue;
    }
    const recipient = await loadLinkRecipient(deps, address);
    if ('refusal' in recipient) {
      await finish(deps, claimed, {
        address,
        status: 'refused',
        sent: false,
        reason: REFUSAL_REASONS[recipient.refusal],
      });
      outcome.refused++;
      continue;
    }
    const wait = lastSendAt + interval - pace.now();
    if (wait > 0) await pace.sleep(wait);
    lastSendAt = pace.now();
    const result = await sendLinkTo(deps, recipient, job.purpose, job.drillId);
    await finish(deps, claimed, result);
    if (result.sent && job.purpose === 'drill' && job.drillId) {
      await deps.table.increment(drillKey(domain, job.drillId), 'sent', 1);
    }
    outcome[result.sent ? 'sent' : 'failed']++;
  }
  return outcome;
}
