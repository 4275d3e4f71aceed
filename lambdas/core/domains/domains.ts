import type { Table } from '../../adapters/table';
import type { Clock } from '../clock';
import { AppError } from '../errors';
import { domainFromItem, domainKey, domainToItem, normalizeDomain, type Domain } from '../entities/domain';
import {
  portalUserKey,
  portalUserFromItem,
  portalUserToItem,
  type PortalUser,
  type UserType,
} from '../entities/portal-user';

export interface DomainDeps {
  table: Table;
  clock: Clock;
}

const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

export async function getDomain(deps: DomainDeps, name: string): Promise<Domain | undefined> {
  const item = await deps.table.get(domainKey(name));
  return item && domainFromItem(item);
}

/** Adds a managed domain with XtraMail off and address discovery on. */
export async function createDomain(deps: DomainDeps, name: string): Promise<Domain> {
  const normalized = normalizeDomain(name);
  if (!DOMAIN_NAME.test(normalized))
    throw new AppError(400, 'invalid_domain', `"${name}" is not a domain name.`);
  const domain: Domain = {
    name: normalized,
    xtramail: { enabled: false },
    addressDiscovery: true,
    createdAt: deps.clock.now().toISOString(),
  };
  if (!(await deps.table.put(domainToItem(domain), { ifAbsent: true }))) {
    throw new AppError(409, 'domain_exists', `${normalized} is already managed here.`);
  }
  return domain;
}

/**
 * Turns XtraMail Email Continuity on or off. Turning it on records `enabledAt`: copying starts
 * then, never before. Turning it off stops new copies; existing ones age out at 30 days.
 */
export async function setXtraMail(deps: DomainDeps, name: string, enabled: boolean): Promise<Domain> {
  const domain = await getDomain(deps, name);
  if (!domain) throw new AppError(404, 'not_found', `${normalizeDomain(name)} is not a managed domain.`);
  if (domain.xtramail.enabled === enabled) return domain;
  const now = deps.clock.now().toISOString();
  const updated: Domain = {
    ...domain,
    xtramail: enabled ? { enabled, enabledAt: now } : { ...domain.xtramail, enabled, disabledAt: now },
  };
  await deps.table.put(domainToItem(updated));
  return updated;
}

export async function setAddressDiscovery(deps: DomainDeps, name: string, on: boolean): Promise<Domain> {
  const domain = await getDomain(deps, name);
  if (!domain) throw new AppError(404, 'not_found', `${normalizeDomain(name)} is not a managed domain.`);
  const updated = { ...domain, addressDiscovery: on };
  await deps.table.put(domainToItem(updated));
  return updated;
}

/** Adds a user of a managed domain, or changes the type of an existing one. */
export async function putUser(deps: DomainDeps, address: string, type: UserType): Promise<PortalUser> {
  const existing = await deps.table.get(portalUserKey(address));
  const user: PortalUser = existing
    ? { ...portalUserFromItem(existing), type }
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
