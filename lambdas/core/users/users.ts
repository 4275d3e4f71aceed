import type { Page, Table } from '../../adapters/table';
import { normalizeAddress, splitAddress } from '../addresses';
import type { Clock } from '../clock';
import { normalizeDomain, xtramailCoversReceipt, type Domain } from '../entities/domain';
import {
  isEligible,
  portalUserFromItem,
  portalUserKey,
  portalUserToItem,
  type PortalUser,
  type UserType,
} from '../entities/portal-user';
import { AppError } from '../errors';

export interface UserDeps {
  table: Table;
  clock: Clock;
}

/** A user as the console lists it. */
export interface UserView {
  address: string;
  type: UserType;
  /** XtraMail applies: the domain has it on and the type is billable. */
  xtramail: boolean;
  passwordSet: boolean;
  mustChangePassword: boolean;
  /** A personal mailbox outside the domain is on file for sign-in links (never shown in full here). */
  backupAddressSet: boolean;
  /** Two-step sign-in is on (the console can turn it off for a user who lost phone and codes). */
  mfaEnrolled: boolean;
  createdAt: string;
}

export const userView = (user: PortalUser, domain: Domain, now: Date): UserView => ({
  address: user.address,
  type: user.type,
  xtramail: isEligible(user.type) && xtramailCoversReceipt(domain, now),
  passwordSet: Boolean(user.passwordHash),
  mustChangePassword: user.mustChangePassword,
  backupAddressSet: Boolean(user.backupAddress),
  mfaEnrolled: Boolean(user.mfaEnrolledAt),
  createdAt: user.createdAt,
});

export interface UserFilter {
  type?: UserType;
  /** Part of the address. */
  q?: string;
}

const userPartition = (domain: string) => `DOMAIN#${normalizeDomain(domain)}`;
const filterConditions = (filter: UserFilter) => [
  ...(filter.type ? [{ attribute: 'userType', equals: filter.type }] : []),
  ...(filter.q ? [{ attribute: 'address', contains: normalizeAddress(filter.q) }] : []),
];

/** A page of a domain's users in address order, and how many match the filter in all. */
export async function listUsers(
  deps: UserDeps,
  domain: string,
  filter: UserFilter,
  page: { limit?: number; cursor?: string },
): Promise<Page<PortalUser> & { total: number }> {
  const limit = Math.min(page.limit ?? 50, 200);
  const where = filterConditions(filter);
  const items: PortalUser[] = [];
  let cursor = page.cursor;
  // A filter applies after DynamoDB's limit, so keep reading until the page is full.
  do {
    const result = await deps.table.query(userPartition(domain), {
      beginsWith: 'USER#',
      limit: limit - items.length,
      cursor,
      where,
    });
    items.push(...result.items.map(portalUserFromItem));
    cursor = result.nextCursor;
  } while (cursor && items.length < limit);
  const total = await deps.table.count(userPartition(domain), { beginsWith: 'USER#', where });
  return { items, nextCursor: cursor, total };
}

/** Every user matching the filter (for "select all N users"). */
export async function allUsers(deps: UserDeps, domain: string, filter: UserFilter): Promise<PortalUser[]> {
  const users: PortalUser[] = [];
  let cursor: string | undefined;
  do {
    const page = await listUsers(deps, domain, filter, { limit: 200, cursor });
    users.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return users;
}

export async function getUser(deps: UserDeps, address: string): Promise<PortalUser | undefined> {
  const item = await deps.table.get(portalUserKey(address));
  return item && portalUserFromItem(item);
}

function addressIn(domain: string, address: string): string {
  let parts;
  try {
    parts = splitAddress(address.includes('@') ? address : `${address}@${domain}`);
  } catch {
    throw new AppError(400, 'invalid_address', `"${address}" is not an email address.`);
  }
  if (parts.domain !== normalizeDomain(domain)) {
    throw new AppError(400, 'invalid_address', `${address} is not an address of ${normalizeDomain(domain)}.`);
  }
  if (!/^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/.test(parts.localPart)) {
    throw new AppError(400, 'invalid_address', `"${parts.localPart}" is not a valid mailbox name.`);
  }
  return `${parts.localPart}@${parts.domain}`;
}

export async function addUser(
  deps: UserDeps,
  domain: string,
  address: string,
  type: UserType,
): Promise<PortalUser> {
  const user: PortalUser = {
    address: addressIn(domain, address),
    type,
    mustChangePassword: false,
    tokenVersion: 0,
    createdAt: deps.clock.now().toISOString(),
  };
  if (!(await deps.table.put(portalUserToItem(user), { ifAbsent: true }))) {
    throw new AppError(409, 'user_exists', `${user.address} already exists.`);
  }
  return user;
}

/** Changing the type of an account; one that becomes non-billable also loses its sessions. */
export async function changeUserType(deps: UserDeps, domain: string, address: string, type: UserType) {
  const normalized = addressIn(domain, address);
  const user = await getUser(deps, normalized);
  if (!user)
    throw new AppError(404, 'not_found', `${normalized} is not a user of ${normalizeDomain(domain)}.`);
  const losesAccess = isEligible(user.type) && !isEligible(type);
  const updated: PortalUser = { ...user, type, tokenVersion: user.tokenVersion + (losesAccess ? 1 : 0) };
  await deps.table.put(portalUserToItem(updated));
  return updated;
}

/** Adds a user or changes the type of an existing one (tests and seeding). */
export async function putUser(deps: UserDeps, address: string, type: UserType): Promise<PortalUser> {
  const existing = await getUser(deps, address);
  const user: PortalUser = existing
    ? { ...existing, type }
    : {
        address,
        type,
        mustChangePassword: false,
        tokenVersion: 0,
        createdAt: deps.clock.now().toISOString(),
      };
  await deps.table.put(portalUserToItem(user));
  return portalUserFromItem(portalUserToItem(user));
}
