import type { Table } from '../../adapters/table';
import { normalizeAddress } from '../addresses';
import type { Clock } from '../clock';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/password';
import { adminToItem } from '../entities/admin';
import { adminDirectoryItem } from './admins';

/**
 * Creates the deployment's first partner admin unless it exists. An existing admin is left
 * alone, so a password changed since the first deploy is never reset by a redeploy.
 */
export async function ensureBootstrapAdmin(
  deps: { table: Table; clock: Clock },
  email: string,
  password: string,
): Promise<{ created: boolean }> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`The bootstrap admin password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  await deps.table.put(adminDirectoryItem(email));
  const created = await deps.table.put(
    adminToItem({
      email: normalizeAddress(email),
      role: 'partner',
      domains: [],
      passwordHash: await hashPassword(password),
      tokenVersion: 0,
      createdAt: deps.clock.now().toISOString(),
    }),
    { ifAbsent: true },
  );
  return { created };
}
