import type { Table } from '../../adapters/table';
import type { Clock } from '../clock';
import { domainKey, normalizeDomain } from '../entities/domain';
import {
  deploymentSecurityFromItem,
  deploymentSecurityKey,
  deploymentSecurityToItem,
  domainSecurityFromItem,
  domainSecurityKey,
  domainSecurityToItem,
  type DeploymentSecurity,
  type DomainSecurity,
} from '../entities/security-settings';
import { notFound } from '../errors';

interface PolicyDeps {
  table: Table;
  clock: Clock;
}

/** Who must use two-step sign-in: every admin, and/or every portal user of a domain. */
export async function deploymentSecurity(deps: PolicyDeps): Promise<DeploymentSecurity> {
  return deploymentSecurityFromItem(await deps.table.get(deploymentSecurityKey()));
}

export async function setDeploymentSecurity(
  deps: PolicyDeps,
  settings: { requireAdminMfa: boolean },
  by: string,
): Promise<DeploymentSecurity> {
  const updated = { ...settings, updatedAt: deps.clock.now().toISOString(), updatedBy: by };
  await deps.table.put(deploymentSecurityToItem(updated));
  return updated;
}

export async function domainSecurity(deps: PolicyDeps, domain: string): Promise<DomainSecurity> {
  const [domainItem, settings] = await Promise.all([
    deps.table.get(domainKey(domain)),
    deps.table.get(domainSecurityKey(domain)),
  ]);
  if (!domainItem) throw notFound(`${normalizeDomain(domain)} is not a managed domain.`);
  return domainSecurityFromItem(settings);
}

export async function setDomainSecurity(
  deps: PolicyDeps,
  domain: string,
  settings: { requirePortalMfa: boolean },
  by: string,
): Promise<DomainSecurity> {
  if (!(await deps.table.get(domainKey(domain))))
    throw notFound(`${normalizeDomain(domain)} is not a managed domain.`);
  const updated = { ...settings, updatedAt: deps.clock.now().toISOString(), updatedBy: by };
  await deps.table.put(domainSecurityToItem(domain, updated));
  return updated;
}
