import { randomUUID } from 'node:crypto';
import type { DeliveryQueue } from '../../adapters/delivery-queue';
import type { Table } from '../../adapters/table';
import { issueLink, type LinkPurpose } from '../auth/sign-in-links';
import { linkRecipient, REFUSAL_REASONS } from '../auth/sign-in-links-eligibility';
import { sendLinkMail, type LinkMailDeps } from '../auth/sign-in-links-mail';
import type { Clock } from '../clock';
import type { Domain } from '../entities/domain';
import type { PortalUser } from '../entities/portal-user';
import { resolveSelection, type UserSelection } from './selection';

export interface SendLinksDeps extends LinkMailDeps {
  table: Table;
  clock: Clock;
  /** Mail Flow's delivery queue: selections too large for one request are mailed from there. */
  queue?: DeliveryQueue;
}

export type MailedPurpose = Exclude<LinkPurpose, 'sign-in'>;

/** Sent now, queued for the deliver function, refused (ineligible), or the send failed. */
export type LinkStatus = 'sent' | 'queued' | 'refused' | 'failed';

export interface LinkResult {
  address: string;
  status: LinkStatus;
  /** `status === 'sent'`, kept for older callers. */
  sent: boolean;
  /** Why no link went out, in words an admin can act on. */
  reason?: string;
}

/**
 * Up to this many links go out within the request. API Gateway stops waiting after 29 s and SES
 * sends 14 mails/s by default, so larger selections are queued and mailed by the deliver function.
 */
export const IN_REQUEST_LINK_LIMIT = 50;
/** Addresses per queued job: one job finishes well within the deliver function's minute. */
export const LINK_JOB_SIZE = 25;
/**
 * One job mails at most this many links a second, under SES's default 14/s; a full job then
 * takes about 3 s, so even a batch of 10 jobs fits the deliver function's minute.
 */
export const LINK_SENDS_PER_SECOND = 8;
/** Jobs of one selection become visible this far apart, so they run one after another. */
export const LINK_JOB_SPACING_SECONDS = Math.ceil(LINK_JOB_SIZE / LINK_SENDS_PER_SECOND);

export const SEND_FAILED_REASON = 'The mail could not be sent; try again later.';

/** Mails do not go out faster than this many at a time within a request. */
const CONCURRENCY = 8;

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  }
  return results;
}

export const refusedResult = (address: string, reason: string): LinkResult => ({
  address,
  status: 'refused',
  sent: false,
  reason,
});

/** Who of a selection gets a link, and who is refused and why: worked out one by one. */
export interface LinkPlan {
  recipients: Array<{ user: PortalUser; backupAddress: string }>;
  refused: LinkResult[];
}

export async function planLinks(
  deps: SendLinksDeps,
  domain: Domain,
  selection: UserSelection,
): Promise<LinkPlan> {
  const { users, unknown } = await resolveSelection(deps, domain, selection);
  const plan: LinkPlan = {
    recipients: [],
    refused: unknown.map((address) => refusedResult(address, REFUSAL_REASONS.not_found)),
  };
  for (const user of users) {
    const recipient = linkRecipient(user, domain.xtramail.enabled);
    if ('refusal' in recipient)
      plan.refused.push(refusedResult(user.address, REFUSAL_REASONS[recipient.refusal]));
    else plan.recipients.push(recipient);
  }
  return plan;
}

/** Whether the plan is mailed from the queue rather than within the request. */
export const isQueued = (plan: LinkPlan) => plan.recipients.length > IN_REQUEST_LINK_LIMIT;

/** Issues one link and mails it; a failed send is reported, not thrown. */
export async function sendLinkTo(
  deps: SendLinksDeps,
  recipient: { user: PortalUser; backupAddress: string },
  purpose: MailedPurpose,
  drillId?: string,
): Promise<LinkResult> {
  const { user, backupAddress } = recipient;
  try {
    const link = await issueLink(deps, {
      address: user.address,
      purpose,
      tokenVersion: user.tokenVersion,
      sentTo: backupAddress,
      ...(drillId ? { drillId } : {}),
    });
    await sendLinkMail(deps, { purpose, address: user.address, backupAddress, link, now: deps.clock.now() });
    return { address: user.address, status: 'sent', sent: true };
  } catch (error) {
    console.error(`Sending a ${purpose} link for ${user.address} failed`, error);
    return { address: user.address, status: 'failed', sent: false, reason: SEND_FAILED_REASON };
  }
}

/** Mails the plan's links within the request, a few at a time. */
export async function sendPlanned(
  deps: SendLinksDeps,
  plan: LinkPlan,
  purpose: MailedPurpose,
  drillId?: string,
): Promise<LinkResult[]> {
  const sent = await inBatches(plan.recipients, CONCURRENCY, (r) => sendLinkTo(deps, r, purpose, drillId));
  return [...plan.refused, ...sent];
}

export const queuedResults = (plan: LinkPlan): LinkResult[] => [
  ...plan.refused,
  ...plan.recipients.map((r) => ({ address: r.user.address, status: 'queued' as const, sent: false })),
];

/**
 * Queues the plan's recipients in jobs of LINK_JOB_SIZE, spaced so that one job runs after
 * another rather than all at once (each job paces itself under SES's rate).
 */
export async function queueLinkJobs(
  deps: SendLinksDeps,
  domain: Domain,
  plan: LinkPlan,
  purpose: MailedPurpose,
  drillId?: string,
): Promise<number> {
  const { queue } = deps;
  if (!queue) throw new Error('Sending links for a large selection needs the delivery queue');
  const addresses = plan.recipients.map((r) => r.user.address);
  const jobs = Math.ceil(addresses.length / LINK_JOB_SIZE);
  for (let i = 0; i < jobs; i++) {
    await queue.enqueue(
      {
        kind: 'send-links',
        jobId: randomUUID(),
        domain: domain.name,
        purpose,
        ...(drillId ? { drillId } : {}),
        addresses: addresses.slice(i * LINK_JOB_SIZE, (i + 1) * LINK_JOB_SIZE),
      },
      i * LINK_JOB_SPACING_SECONDS,
    );
  }
  return jobs;
}

/**
 * One link of `purpose` to each selected user's backup address. Users who cannot get one are
 * reported one by one; the others still get theirs. Up to IN_REQUEST_LINK_LIMIT links are
 * mailed now (a failed send is reported too); more are queued and reported as `queued`.
 */
export async function sendLinks(
  deps: SendLinksDeps,
  domain: Domain,
  selection: UserSelection,
  purpose: MailedPurpose,
): Promise<LinkResult[]> {
  const plan = await planLinks(deps, domain, selection);
  if (!isQueued(plan)) return sendPlanned(deps, plan, purpose);
  await queueLinkJobs(deps, domain, plan, purpose);
  return queuedResults(plan);
}

/** How many results have each status. */
export function countByStatus(results: LinkResult[]): Record<LinkStatus, number> {
  const counts: Record<LinkStatus, number> = { sent: 0, queued: 0, refused: 0, failed: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}
