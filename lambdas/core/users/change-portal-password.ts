import type { Table } from '../../adapters/table';
import type { Clock } from '../clock';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from '../auth/password';
import {
  portalUserFromItem,
  portalUserKey,
  portalUserToItem,
  type PortalUser,
} from '../entities/portal-user';
import { AppError } from '../errors';

/**
 * A portal user's own password change (also the forced one after an admin set a temporary
 * password). Earlier sessions end; the temporary-password flag clears.
 */
export async function changePortalPassword(
  deps: { table: Table; clock: Clock },
  address: string,
  /** Undefined only for a session that a sign-in link opened moments ago (the caller checks). */
  currentPassword: string | undefined,
  newPassword: string,
): Promise<PortalUser> {
  if (newPassword.length < MIN_PASSWORD_LENGTH) {
    throw new AppError(400, 'weak_password', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  if (newPassword === currentPassword) {
    throw new AppError(400, 'same_password', 'Choose a password different from the current one.');
  }
  const item = await deps.table.get(portalUserKey(address));
  const user = item && portalUserFromItem(item);
  if (!user) throw new AppError(404, 'not_found', 'This account no longer exists.');
  if (
    currentPassword !== undefined &&
    !(user.passwordHash && (await verifyPassword(currentPassword, user.passwordHash)))
  ) {
    throw new AppError(400, 'wrong_password', 'The current password is not right.');
  }
  const updated: PortalUser = {
    ...user,
    passwordHash: await hashPassword(newPassword),
    mustChangePassword: false,
    tokenVersion: user.tokenVersion + 1,
  };
  await deps.table.put(portalUserToItem(updated));
  return updated;
}
