import { z } from 'zod';
import {
  deploymentSecurity,
  domainSecurity,
  setDeploymentSecurity,
  setDomainSecurity,
} from '../../../core/auth/mfa-policy';
import { assertDomainAccess, assertPartner } from '../../../core/console/authz';
import { normalizeDomain } from '../../../core/entities/domain';
import { route } from '../../http/types';
import { adminOf, audit, type ConsoleDeps } from './context';

/**
 * Who must use two-step sign-in. Only partner admins change it (the issue: "Partner admins can
 * require MFA for all admins and/or for portal users of a domain"); a domain admin may read
 * their domain's setting.
 */
export const securityRoutes = (deps: ConsoleDeps) => [
  route({
    method: 'GET',
    path: '/api/console/settings/security',
    summary: 'Deployment security settings: whether every admin must use two-step sign-in (partner admins)',
    async handle(request) {
      assertPartner(adminOf(request), 'read security settings');
      return { status: 200, body: await deploymentSecurity(deps) };
    },
  }),
  route({
    method: 'PUT',
    path: '/api/console/settings/security',
    summary:
      'Require two-step sign-in for every admin (partner admins); admins without it enrol at next sign-in',
    body: z.object({ requireAdminMfa: z.boolean() }),
    async handle(request) {
      const admin = adminOf(request);
      assertPartner(admin, 'change security settings');
      const updated = await setDeploymentSecurity(deps, request.body, admin.email);
      await audit(deps, request, 'settings.security', 'deployment', request.body);
      return { status: 200, body: updated };
    },
  }),
  route({
    method: 'GET',
    path: '/api/console/domains/{domain}/security',
    summary: "A domain's security settings: whether its portal users must use two-step sign-in",
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      return { status: 200, body: await domainSecurity(deps, request.params.domain) };
    },
  }),
  route({
    method: 'PUT',
    path: '/api/console/domains/{domain}/security',
    summary:
      "Require two-step sign-in for the domain's portal users (partner admins); users without it enrol at next sign-in",
    body: z.object({ requirePortalMfa: z.boolean() }),
    async handle(request) {
      const admin = adminOf(request);
      assertPartner(admin, 'change who must use two-step sign-in');
      const domain = normalizeDomain(request.params.domain);
      const updated = await setDomainSecurity(deps, domain, request.body, admin.email);
      await audit(deps, request, 'domain.security', domain, request.body);
      return { status: 200, body: updated };
    },
  }),
];
