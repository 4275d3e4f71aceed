import type { Table } from '../../adapters/table';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/password';
import { consumeLink, linkUnusable, peekLink } from '../auth/sign-in-links';
import { loadLinkRecipient } from '../auth/sign-in-links-eligibility';
import type { Clock } from '../clock';
import { portalUserFromItem, portalUserKey, portalUserToItem } from '../entities/portal-user';
import { AppError } from '../errors';

/**
 * An invitation link sets the user's own password: the temporary-password flag clears and the
 * tokenVersion moves on, which ends older sessions and every other link issued before.
 * The password and the account's portal access are checked before the link is used up, so a
 * too-short password can be corrected and an account that lost access keeps its password.
 */
export async function acceptInvitation(
  deps: { table: Table; clock: Clock },
  token: string,
  newPassword: string,
): Promise<{ address: string }> {
  const peeked = await peekLink(deps, token);
  if (peeked.purpose !== 'invite') throw linkUnusable();
  if (newPassword.length < MIN_PASSWORD_LENGTH) {
    throw new AppError(400, 'weak_password', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const recipient = await loadLinkRecipient(deps, peeked.address);
  // The backup address may have been removed since: the link itself proves the mailbox.
  if ('refusal' in recipient && recipient.refusal !== 'no_backup_address') {
    throw new AppError(403, 'no_portal_access', 'This account has no portal access. Ask your administrator.');
  }
  const passwordHash = await hashPassword(newPassword);
  const { address } = await consumeLink(deps, token, ['invite']);
  const item = await deps.table.get(portalUserKey(address));
  if (!item) throw linkUnusable();
  const user = portalUserFromItem(item);
  // Attributes the entity does not model (e.g. sign-in counts) are kept as they were.
  await deps.table.put({
    ...item,
    ...portalUserToItem({
      ...user,
      passwordHash,
      mustChangePassword: false,
      tokenVersion: user.tokenVersion + 1,
    }),
  });
  return { address };
}
