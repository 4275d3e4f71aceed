import type { Page, Table } from '../../adapters/table';
import type { Clock } from '../clock';
import { AppError } from '../errors';
import { domainFromItem, domainKey, domainToItem, normalizeDomain, type Domain } from '../entities/domain';
import { coverageOnEnable } from './xtramail-coverage';

export interface DomainDeps {
  table: Table;
  clock: Clock;
}

const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/** One small item per domain in one partition, so listing domains is a Query, never a Scan. */
const DIRECTORY = 'DOMAINS';
const directoryKey = (name: string) => ({ pk: DIRECTORY, sk: normalizeDomain(name) });

const missing = (name: string) =>
  new AppError(404, 'not_found', `${normalizeDomain(name)} is not a managed domain.`);

export async function getDomain(deps: DomainDeps, name: string): Promise<Domain | undefined> {
  const item = await deps.table.get(domainKey(name));
  return item && domainFromItem(item);
}

export async function requireDomain(deps: DomainDeps, name: string): Promise<Domain> {
  const domain = await getDomain(deps, name);
  if (!domain) throw missing(name);
  return domain;
}

/** Adds a managed domain with XtraMail off and address discovery on. */
export async function createDomain(deps: DomainDeps, name: string): Promise<Domain> {
  const normalized = normalizeDomain(name);
  if (!DOMAIN_NAME.test(normalized)) {
    throw new AppError(400, 'invalid_domain', `"${name}" is not a domain name (for example: example.com).`);
  }
  const domain: Domain = {
    name: normalized,
    xtramail: { enabled: false },
    addressDiscovery: true,
    createdAt: deps.clock.now().toISOString(),
  };
  // The directory entry first: writing it twice is harmless, a domain missing from it is not.
  await deps.table.put({ ...directoryKey(normalized), type: 'domain-directory' });
  if (!(await deps.table.put(domainToItem(domain), { ifAbsent: true }))) {
    throw new AppError(409, 'domain_exists', `${normalized} is already managed here.`);
  }
  return domain;
}

/** Domains in name order; `only` restricts the list (a domain admin's grants). */
export async function listDomains(
  deps: DomainDeps,
  page: { limit?: number; cursor?: string; only?: string[] },
): Promise<Page<Domain>> {
  if (page.only) {
    const items = await deps.table.getAll(page.only.map((name) => domainKey(name)));
    const domains = items.map(domainFromItem).sort((a, b) => a.name.localeCompare(b.name));
    return { items: domains };
  }
  const names = await deps.table.query(DIRECTORY, {
    limit: Math.min(page.limit ?? 100, 200),
    cursor: page.cursor,
  });
  const items = await deps.table.getAll(names.items.map((entry) => domainKey(entry.sk)));
  const domains = items.map(domainFromItem).sort((a, b) => a.name.localeCompare(b.name));
  return { items: domains, nextCursor: names.nextCursor };
}

/**
 * Turns XtraMail Email Continuity on or off. Turning it on records `enabledAt`: copying starts
 * then, never before. Turning it off stops new copies; existing ones age out at 30 days, so
 * turning it on again soon after records what the snapshots still hold, gap included.
 */
export async function setXtraMail(deps: DomainDeps, name: string, enabled: boolean): Promise<Domain> {
  const domain = await requireDomain(deps, name);
  if (domain.xtramail.enabled === enabled) return domain;
  const now = deps.clock.now();
  const updated: Domain = {
    ...domain,
    xtramail: enabled
      ? { enabled, enabledAt: now.toISOString(), ...coverageOnEnable(domain.xtramail, now) }
      : { ...domain.xtramail, enabled, disabledAt: now.toISOString() },
  };
  await deps.table.put(domainToItem(updated));
  return updated;
}

export async function setAddressDiscovery(deps: DomainDeps, name: string, on: boolean): Promise<Domain> {
  const domain = await requireDomain(deps, name);
  const updated = { ...domain, addressDiscovery: on };
  await deps.table.put(domainToItem(updated));
  return updated;
}
