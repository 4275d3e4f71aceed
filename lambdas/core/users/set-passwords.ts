import { generatePassword } from '../auth/generated-password';
import { hashGeneratedPassword, hashPassword, MIN_PASSWORD_LENGTH } from '../auth/password';
import type { Domain } from '../entities/domain';
import { isEligible, portalUserToItem, type PortalUser } from '../entities/portal-user';
import { AppError } from '../errors';
import { allUsers, getUser, type UserDeps, type UserFilter } from './users';

export type PasswordSelection = { addresses: string[] } | { all: true; filter: UserFilter };
export type PasswordChoice = { password: string } | { generate: true };

export interface SetPasswordsResult {
  updated: number;
  /** Shown once to the admin; never stored in the clear. */
  generated?: Array<{ address: string; password: string }>;
  refused: Array<{ address: string; reason: string }>;
}

const NOT_ELIGIBLE = 'Not a User or Discovered User: only those accounts get portal access.';

async function selectedUsers(deps: UserDeps, domain: Domain, selection: PasswordSelection) {
  if ('all' in selection) return { users: await allUsers(deps, domain.name, selection.filter), unknown: [] };
  const addresses = [...new Set(selection.addresses.map((a) => a.trim().toLowerCase()))];
  const found = await Promise.all(
    addresses.map(async (address) => ({ address, user: await getUser(deps, address) })),
  );
  return {
    users: found.flatMap((f) => (f.user && f.user.address.endsWith(`@${domain.name}`) ? [f.user] : [])),
    unknown: found
      .filter((f) => !f.user || !f.user.address.endsWith(`@${domain.name}`))
      .map((f) => f.address),
  };
}

/**
 * The mass password update: one typed password for every selected user, or a unique generated
 * one each. Every user so set must change it at first portal sign-in, and loses older sessions.
 * Ineligible accounts are refused one by one; the rest still succeed.
 */
export async function setPortalPasswords(
  deps: UserDeps,
  domain: Domain,
  selection: PasswordSelection,
  choice: PasswordChoice,
): Promise<SetPasswordsResult> {
  if ('password' in choice && choice.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError(400, 'weak_password', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const { users, unknown } = await selectedUsers(deps, domain, selection);
  const refused = [
    ...unknown.map((address) => ({ address, reason: `Not a user of ${domain.name}.` })),
    ...users.filter((u) => !isEligible(u.type)).map((u) => ({ address: u.address, reason: NOT_ELIGIBLE })),
  ];
  const eligible = users.filter((u) => isEligible(u.type));
  // One typed password for all: hashed once (it is the same secret for everyone anyway).
  const sharedHash = 'password' in choice ? await hashPassword(choice.password) : undefined;
  const generated: Array<{ address: string; password: string }> = [];
  const updatedUsers: PortalUser[] = [];
  for (const user of eligible) {
    let passwordHash = sharedHash;
    if (!passwordHash) {
      const password = generatePassword();
      generated.push({ address: user.address, password });
      passwordHash = await hashGeneratedPassword(password);
    }
    updatedUsers.push({
      ...user,
      passwordHash,
      mustChangePassword: true,
      tokenVersion: user.tokenVersion + 1,
    });
  }
  await deps.table.putAll(updatedUsers.map(portalUserToItem));
  return { updated: updatedUsers.length, ...('generate' in choice ? { generated } : {}), refused };
}
