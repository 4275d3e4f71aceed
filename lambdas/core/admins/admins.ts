import type { Table } from '../../adapters/table';
import { normalizeAddress } from '../addresses';
import type { Clock } from '../clock';
import { generatePassword } from '../auth/generated-password';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/password';
import { adminFromItem, adminKey, adminToItem, type Admin, type AdminRole } from '../entities/admin';
import { normalizeDomain } from '../entities/domain';
import { AppError } from '../errors';

/** Admins are listed from one directory partition (a Query), like domains. */
const DIRECTORY = 'ADMINS';

export type AdminView = Pick<Admin, 'email' | 'role' | 'domains' | 'createdAt'>;
const view = (admin: Admin): AdminView => ({
  email: admin.email,
  role: admin.role,
  domains: admin.domains,
  createdAt: admin.createdAt,
});

/** Creates an admin; without a password one is generated and returned once. */
export async function createAdmin(
  deps: { table: Table; clock: Clock },
  input: { email: string; role: AdminRole; domains: string[]; password?: string },
): Promise<{ admin: AdminView; password?: string }> {
  const email = normalizeAddress(input.email);
  if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError(400, 'weak_password', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  if (input.role === 'domain' && input.domains.length === 0) {
    throw new AppError(400, 'invalid_request', 'A domain admin needs at least one domain.');
  }
  const password = input.password ?? generatePassword();
  const admin: Admin = {
    email,
    role: input.role,
    domains: input.role === 'partner' ? [] : [...new Set(input.domains.map(normalizeDomain))],
    passwordHash: await hashPassword(password),
    tokenVersion: 0,
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.table.put({ pk: DIRECTORY, sk: email, type: 'admin-directory' });
  if (!(await deps.table.put(adminToItem(admin), { ifAbsent: true }))) {
    throw new AppError(409, 'admin_exists', `${email} is already an admin.`);
  }
  return { admin: view(admin), ...(input.password === undefined ? { password } : {}) };
}

export async function listAdmins(deps: { table: Table }): Promise<AdminView[]> {
  const emails: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.table.query(DIRECTORY, { cursor });
    emails.push(...page.items.map((item) => item.sk));
    cursor = page.nextCursor;
  } while (cursor);
  const items = await deps.table.getAll(emails.map(adminKey));
  return items
    .map(adminFromItem)
    .map(view)
    .sort((a, b) => a.email.localeCompare(b.email));
}

/** The directory entry for an admin made outside createAdmin (the bootstrap admin). */
export const adminDirectoryItem = (email: string) => ({
  pk: DIRECTORY,
  sk: normalizeAddress(email),
  type: 'admin-directory',
});
