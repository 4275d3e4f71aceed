import { z } from 'zod';
import { assertDomainAccess, assertPartner } from '../../../core/console/authz';
import {
  createDomain,
  listDomains,
  requireDomain,
  setAddressDiscovery,
  setXtraMail,
} from '../../../core/domains/domains';
import { domainOverview } from '../../../core/domains/overview';
import { route } from '../../http/types';
import { adminOf, audit, type ConsoleDeps } from './context';

const page = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(2048).optional(),
});

export const domainRoutes = (deps: ConsoleDeps) => [
  route({
    method: 'GET',
    path: '/api/console/domains',
    summary: 'The domains this admin manages',
    query: page,
    async handle(request) {
      const admin = adminOf(request);
      const result = await listDomains(deps, {
        ...request.query,
        ...(admin.role === 'partner' ? {} : { only: admin.domains }),
      });
      return { status: 200, body: result };
    },
  }),
  route({
    method: 'POST',
    path: '/api/console/domains',
    summary: 'Add a managed domain (partner admins)',
    body: z.object({ name: z.string().trim().min(3).max(253) }),
    async handle(request) {
      assertPartner(adminOf(request), 'add domains');
      const domain = await createDomain(deps, request.body.name);
      await audit(deps, request, 'domain.create', domain.name);
      return { status: 201, body: domain };
    },
  }),
  route({
    method: 'GET',
    path: '/api/console/domains/{domain}',
    summary: 'One domain with its overview figures',
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      return { status: 200, body: { domain, overview: await domainOverview(deps, domain.name) } };
    },
  }),
  route({
    method: 'PATCH',
    path: '/api/console/domains/{domain}',
    summary: 'Change domain settings (address discovery)',
    body: z.object({ addressDiscovery: z.boolean() }),
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await setAddressDiscovery(deps, request.params.domain, request.body.addressDiscovery);
      await audit(deps, request, 'domain.address-discovery', domain.name, { on: domain.addressDiscovery });
      return { status: 200, body: domain };
    },
  }),
  route({
    method: 'PUT',
    path: '/api/console/domains/{domain}/products',
    summary: 'Enable or disable XtraMail Email Continuity (copying starts when enabled, never retroactively)',
    body: z.object({ xtramail: z.boolean() }),
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const before = await requireDomain(deps, request.params.domain);
      const domain = await setXtraMail(deps, before.name, request.body.xtramail);
      if (before.xtramail.enabled !== domain.xtramail.enabled) {
        await audit(
          deps,
          request,
          domain.xtramail.enabled ? 'product.enable' : 'product.disable',
          domain.name,
          {
            product: 'xtramail',
          },
        );
      }
      return { status: 200, body: domain };
    },
  }),
];
