import type { Table } from '../../adapters/table';
import { normalizeAddress } from '../addresses';
import type { Clock } from '../clock';
import { issueLink } from './sign-in-links';
import { loadLinkRecipient } from './sign-in-links-eligibility';
import { sendLinkMail, type LinkMailDeps } from './sign-in-links-mail';
import { LinkRequestRateLimit } from './sign-in-links-rate-limit';

export interface SignInLinkRequestDeps extends LinkMailDeps {
  table: Table;
  clock: Clock;
}

/** What the caller is told, whatever happened: the same for every account. */
export const SIGN_IN_LINK_ANSWER = {
  message: 'If that account has a backup address, a link is on its way. It works once, for 15 minutes.',
};

/**
 * "Email me a sign-in link". The rate limit is taken first and only throws for the caller's
 * own excess; after that nothing the caller sees depends on the account. Returns whether a
 * mail went out, for logs and tests only, never for the response.
 */
export async function requestSignInLink(
  deps: SignInLinkRequestDeps,
  email: string,
  sourceIp: string,
): Promise<{ sent: boolean }> {
  const address = normalizeAddress(email);
  await new LinkRequestRateLimit(deps.table, deps.clock).take(address, sourceIp);
  const recipient = await loadLinkRecipient(deps, address);
  if ('refusal' in recipient) return { sent: false };
  const link = await issueLink(deps, {
    address,
    purpose: 'sign-in',
    tokenVersion: recipient.user.tokenVersion,
    sentTo: recipient.backupAddress,
  });
  await sendLinkMail(deps, {
    purpose: 'sign-in',
    address,
    backupAddress: recipient.backupAddress,
    link,
    now: deps.clock.now(),
  });
  return { sent: true };
}
