import type { Table } from '../../adapters/table';
import type { Clock } from '../clock';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from '../auth/password';
import { adminFromItem, adminKey, adminToItem, type Admin } from '../entities/admin';
import { AppError } from '../errors';

/** Changes an admin's own password; every earlier session and cookie stops working. */
export async function changeAdminPassword(
  deps: { table: Table; clock: Clock },
  email: string,
  currentPassword: string,
  newPassword: string,
): Promise<Admin> {
  if (newPassword.length < MIN_PASSWORD_LENGTH) {
    throw new AppError(400, 'weak_password', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const item = await deps.table.get(adminKey(email));
  if (!item) throw new AppError(404, 'not_found', 'No such admin.');
  const admin = adminFromItem(item);
  if (!(await verifyPassword(currentPassword, admin.passwordHash))) {
    throw new AppError(400, 'wrong_password', 'The current password is not right.');
  }
  const updated: Admin = {
    ...admin,
    passwordHash: await hashPassword(newPassword),
    tokenVersion: admin.tokenVersion + 1,
  };
  await deps.table.put(adminToItem(updated));
  return updated;
}
