import { normalizeDomain } from './domain';
import type { Item, ItemKey } from './keys';

/** Deployment-wide security choices, set by partner admins. */
export interface DeploymentSecurity {
  /** Every admin must use TOTP; one without it enrols at next sign-in. */
  requireAdminMfa: boolean;
  updatedAt?: string;
  updatedBy?: string;
}

/** One domain's security choices, set by partner admins. */
export interface DomainSecurity {
  /** Every portal user of the domain must use TOTP; one without it enrols at next sign-in. */
  requirePortalMfa: boolean;
  updatedAt?: string;
  updatedBy?: string;
}

export const deploymentSecurityKey = (): ItemKey => ({ pk: 'SETTINGS', sk: 'SECURITY' });

/** Beside the domain item, so the portal reads it in the same batch as the user and the domain. */
export const domainSecurityKey = (domain: string): ItemKey => ({
  pk: `DOMAIN#${normalizeDomain(domain)}`,
  sk: 'SETTINGS#SECURITY',
});

const audit = (item: Item | undefined) => ({
  ...(typeof item?.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
  ...(typeof item?.updatedBy === 'string' ? { updatedBy: item.updatedBy } : {}),
});

export const deploymentSecurityFromItem = (item: Item | undefined): DeploymentSecurity => ({
  requireAdminMfa: item?.requireAdminMfa === true,
  ...audit(item),
});

export const deploymentSecurityToItem = (settings: DeploymentSecurity): Item => ({
  ...deploymentSecurityKey(),
  type: 'deployment-security',
  requireAdminMfa: settings.requireAdminMfa,
  ...(settings.updatedAt ? { updatedAt: settings.updatedAt } : {}),
  ...(settings.updatedBy ? { updatedBy: settings.updatedBy } : {}),
});

export const domainSecurityFromItem = (item: Item | undefined): DomainSecurity => ({
  requirePortalMfa: item?.requirePortalMfa === true,
  ...audit(item),
});

export const domainSecurityToItem = (domain: string, settings: DomainSecurity): Item => ({
  ...domainSecurityKey(domain),
  type: 'domain-security',
  requirePortalMfa: settings.requirePortalMfa,
  ...(settings.updatedAt ? { updatedAt: settings.updatedAt } : {}),
  ...(settings.updatedBy ? { updatedBy: settings.updatedBy } : {}),
});
