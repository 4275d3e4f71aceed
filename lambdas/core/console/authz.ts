import type { AdminProfile } from '../auth/admin-sessions';
import { normalizeDomain } from '../entities/domain';
import { AppError } from '../errors';

/** Partner admins manage every domain; domain admins only those granted to them. */
export const canManageDomain = (admin: AdminProfile, domain: string): boolean =>
  admin.role === 'partner' || admin.domains.includes(normalizeDomain(domain));

/**
 * A domain outside the admin's scope answers exactly like a missing one, so scopes never
 * reveal which other domains this deployment manages.
 */
export function assertDomainAccess(admin: AdminProfile, domain: string): void {
  if (!canManageDomain(admin, domain)) {
    throw new AppError(404, 'not_found', `${normalizeDomain(domain)} is not a managed domain.`);
  }
}

export function assertPartner(admin: AdminProfile, what: string): void {
  if (admin.role !== 'partner') throw new AppError(403, 'forbidden', `Only partner admins can ${what}.`);
}
