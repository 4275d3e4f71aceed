import type { Table } from '../../adapters/table';
import { issueLink, type LinkPurpose } from '../auth/sign-in-links';
import { linkRecipient, REFUSAL_REASONS } from '../auth/sign-in-links-eligibility';
import { sendLinkMail, type LinkMailDeps } from '../auth/sign-in-links-mail';
import type { Clock } from '../clock';
import type { Domain } from '../entities/domain';
import { resolveSelection, type UserSelection } from './selection';

export interface SendLinksDeps extends LinkMailDeps {
  table: Table;
  clock: Clock;
}

export interface LinkResult {
  address: string;
  sent: boolean;
  /** Why no link went out, in words an admin can act on. */
  reason?: string;
}

/** Mails do not go out faster than this many at a time (SES's default send rate is 14/s). */
const CONCURRENCY = 8;

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  }
  return results;
}

/**
 * One link of `purpose` to each selected user's backup address. Users who cannot get one are
 * reported one by one; the others still get theirs. A failed send is reported too.
 */
export async function sendLinks(
  deps: SendLinksDeps,
  domain: Domain,
  selection: UserSelection,
  purpose: Exclude<LinkPurpose, 'sign-in'>,
  drillId?: string,
): Promise<LinkResult[]> {
  const { users, unknown } = await resolveSelection(deps, domain, selection);
  const sent = await inBatches(users, CONCURRENCY, async (user): Promise<LinkResult> => {
    const recipient = linkRecipient(user, domain.xtramail.enabled);
    if ('refusal' in recipient) {
      return { address: user.address, sent: false, reason: REFUSAL_REASONS[recipient.refusal] };
    }
    try {
      const link = await issueLink(deps, {
        address: user.address,
        purpose,
        tokenVersion: user.tokenVersion,
        sentTo: recipient.backupAddress,
        ...(drillId ? { drillId } : {}),
      });
      await sendLinkMail(deps, {
        purpose,
        address: user.address,
        backupAddress: recipient.backupAddress,
        link,
        now: deps.clock.now(),
      });
      return { address: user.address, sent: true };
    } catch (error) {
      console.error(`Sending a ${purpose} link for ${user.address} failed`, error);
      return { address: user.address, sent: false, reason: 'The mail could not be sent; try again later.' };
    }
  });
  return [
    ...unknown.map((address) => ({ address, sent: false, reason: REFUSAL_REASONS.not_found })),
    ...sent,
  ];
}
