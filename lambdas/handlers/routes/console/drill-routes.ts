import { z } from 'zod';
import { assertDomainAccess } from '../../../core/console/authz';
import { requireDomain } from '../../../core/domains/domains';
import { drillReportCsv } from '../../../core/drills/drill-report';
import { getDrill, listDrills, startDrill } from '../../../core/drills/drills';
import { notFound } from '../../../core/errors';
import { describeSelection } from '../../../core/invitations/selection';
import { route } from '../../http/types';
import { adminOf, audit, type ConsoleDeps } from './context';
import { linkSendingDeps, selectionBody, selectionOf } from './link-sending';

/** A drill id as startDrill makes them; anything else names no drill. */
function drillIdOf(value: string): string {
  if (!/^[a-z0-9]{1,13}-[a-f0-9]{8}$/.test(value)) throw notFound('No such drill in this domain.');
  return value;
}

export const drillRoutes = (deps: ConsoleDeps) => [
  route({
    method: 'POST',
    path: '/api/console/domains/{domain}/drills',
    summary:
      'Start a fire drill: a 7-day test sign-in link to each selected user’s backup address; above 50 links they are queued and mailed within minutes',
    body: selectionBody,
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      const selection = selectionOf(request.body);
      // More than IN_REQUEST_LINK_LIMIT links go out from Mail Flow's queue (deliver function).
      const started = await startDrill(
        { ...linkSendingDeps(deps), queue: deps.queue },
        domain,
        selection,
        adminOf(request).email,
      );
      await audit(deps, request, 'drill.start', domain.name, {
        drillId: started.drill.drillId,
        sent: started.drill.sent,
        queued: started.queued,
        refused: started.drill.participants - started.drill.sent - started.queued,
        selection: describeSelection(selection),
      });
      return { status: 201, body: started };
    },
  }),
  route({
    method: 'GET',
    path: '/api/console/domains/{domain}/drills',
    summary: 'The domain’s fire drills, newest first, with how many participants completed each',
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).optional(),
      cursor: z.string().max(2048).optional(),
    }),
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      return { status: 200, body: await listDrills(deps, domain.name, request.query) };
    },
  }),
  route({
    method: 'GET',
    path: '/api/console/domains/{domain}/drills/{id}',
    summary: 'One fire drill: each participant, whether the link went out, and when they completed',
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      return { status: 200, body: await getDrill(deps, domain.name, drillIdOf(request.params.id)) };
    },
  }),
  route({
    method: 'GET',
    path: '/api/console/domains/{domain}/drills/{id}/report.csv',
    summary: 'A fire drill’s report as CSV: one line per participant',
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      const { drill, participants } = await getDrill(deps, domain.name, drillIdOf(request.params.id));
      return {
        status: 200,
        raw: { contentType: 'text/csv; charset=utf-8', body: drillReportCsv(drill, participants) },
        headers: {
          'Content-Disposition': `attachment; filename="drill-${domain.name}-${drill.drillId}.csv"`,
          'Cache-Control': 'private, no-store',
        },
      };
    },
  }),
];
