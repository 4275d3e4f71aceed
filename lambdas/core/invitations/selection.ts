import { normalizeAddress } from '../addresses';
import type { Domain } from '../entities/domain';
import type { PortalUser } from '../entities/portal-user';
import { allUsers, getUser, type UserDeps, type UserFilter } from '../users/users';

/** The mass-password dialog's selection: listed addresses, or every user matching a filter. */
export type UserSelection = { addresses: string[] } | { all: true; filter: UserFilter };

/** The selected users of `domain`, and the listed addresses that are not among them. */
export async function resolveSelection(
  deps: UserDeps,
  domain: Domain,
  selection: UserSelection,
): Promise<{ users: PortalUser[]; unknown: string[] }> {
  if ('all' in selection) return { users: await allUsers(deps, domain.name, selection.filter), unknown: [] };
  const addresses = [...new Set(selection.addresses.map(normalizeAddress))];
  const found = await Promise.all(
    addresses.map(async (address) => ({ address, user: await getUser(deps, address) })),
  );
  const inDomain = (user: PortalUser | undefined): user is PortalUser =>
    user !== undefined && user.address.endsWith(`@${domain.name}`);
  return {
    users: found.flatMap((f) => (inDomain(f.user) ? [f.user] : [])),
    unknown: found.filter((f) => !inDomain(f.user)).map((f) => f.address),
  };
}

export const describeSelection = (selection: UserSelection) =>
  'addresses' in selection
    ? `${selection.addresses.length} selected`
    : `all${selection.filter.type ? ` ${selection.filter.type}` : ''}${selection.filter.q ? ` matching "${selection.filter.q}"` : ''}`;
