import { z } from 'zod';
import { assertDomainAccess } from '../../../core/console/authz';
import { requireDomain } from '../../../core/domains/domains';
import { READINESS_FILTERS } from '../../../core/readiness/counts';
import { domainReadiness, readinessAcrossDomains, readinessUsers } from '../../../core/readiness/readiness';
import { route } from '../../http/types';
import { adminOf, type ConsoleDeps } from './context';

/** The readiness dashboard: who can get in on the day of an outage, per domain and across them. */
export const readinessRoutes = (deps: ConsoleDeps) => [
  route({
    method: 'GET',
    path: '/api/console/readiness',
    summary: 'Readiness counts and checklist for every domain this admin manages, with totals',
    async handle(request) {
      return { status: 200, body: await readinessAcrossDomains(deps, adminOf(request)) };
    },
  }),
  route({
    method: 'GET',
    path: '/api/console/domains/{domain}/readiness',
    summary:
      "One domain's readiness: users with XtraMail, a password, a backup address, MFA, recent sign-ins; XtraMail and Mail Flow checklist",
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      return { status: 200, body: await domainReadiness(deps, domain) };
    },
  }),
  route({
    method: 'GET',
    path: '/api/console/domains/{domain}/readiness/users',
    summary: 'The users behind a readiness figure (50 a page), e.g. filter=no-backup, with the total',
    query: z.object({
      filter: z.enum(READINESS_FILTERS),
      limit: z.coerce.number().int().min(1).max(200).optional(),
      cursor: z.string().max(2048).optional(),
    }),
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      const { filter, limit, cursor } = request.query;
      return {
        status: 200,
        body: await readinessUsers(deps, domain, filter, { limit: limit ?? 50, cursor }),
      };
    },
  }),
];
