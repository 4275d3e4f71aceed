import { z } from 'zod';
import { assertDomainAccess } from '../../../core/console/authz';
import { normalizeDomain } from '../../../core/entities/domain';
import {
  listHeld,
  mailFlowOverview,
  releaseHeld,
  setMailFlow,
  type ManageDeps,
} from '../../../core/mail-flow/manage';
import { mailFlowToAttribute } from '../../../core/mail-flow/settings';
import { mailFlowSettingsSchema } from '../../../core/mail-flow/settings-schema';
import { route } from '../../http/types';
import { adminOf, audit, type ConsoleDeps } from './context';

const releaseBody = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z.object({ ids: z.array(z.string().min(1).max(400)).min(1).max(1000) }).strict(),
]);

export const mailFlowRoutes = (deps: ConsoleDeps) => {
  // `queue` is read only when mail is released: the runtime builds it then.
  const manage: ManageDeps = {
    table: deps.table,
    clock: deps.clock,
    get queue() {
      return deps.queue;
    },
  };
  return [
    route({
      method: 'GET',
      path: '/api/console/domains/{domain}/mail-flow',
      summary: 'Mail Flow: delivery settings, Good/Bad status with the last SMTP replies, held mail',
      async handle(request) {
        assertDomainAccess(adminOf(request), request.params.domain);
        return { status: 200, body: await mailFlowOverview(manage, request.params.domain) };
      },
    }),
    route({
      method: 'PUT',
      path: '/api/console/domains/{domain}/mail-flow',
      summary:
        'Change Mail Flow settings; resuming delivery from a pause releases held mail in receipt order',
      body: mailFlowSettingsSchema,
      async handle(request) {
        assertDomainAccess(adminOf(request), request.params.domain);
        const result = await setMailFlow(manage, request.params.domain, request.body);
        await audit(deps, request, 'mail-flow.settings', normalizeDomain(request.params.domain), {
          settings: mailFlowToAttribute(result.settings),
          ...(result.released > 0 ? { released: result.released } : {}),
        });
        return { status: 200, body: result };
      },
    }),
    route({
      method: 'GET',
      path: '/api/console/domains/{domain}/held',
      summary: 'Mail held while inbound delivery is paused, in receipt order',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(200).optional(),
        cursor: z.string().max(2048).optional(),
      }),
      async handle(request) {
        assertDomainAccess(adminOf(request), request.params.domain);
        return { status: 200, body: await listHeld(manage, request.params.domain, request.query) };
      },
    }),
    route({
      method: 'POST',
      path: '/api/console/domains/{domain}/held/release',
      summary: 'Release held mail (all, or by id) to the primary server, in receipt order, exactly once',
      body: releaseBody,
      async handle(request) {
        assertDomainAccess(adminOf(request), request.params.domain);
        const result = await releaseHeld(manage, request.params.domain, request.body);
        await audit(deps, request, 'mail-flow.release', normalizeDomain(request.params.domain), {
          ...('all' in request.body ? { all: true } : { ids: request.body.ids.length }),
          released: result.released,
        });
        return { status: 200, body: result };
      },
    }),
  ];
};
