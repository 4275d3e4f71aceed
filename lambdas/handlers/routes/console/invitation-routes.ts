import { assertDomainAccess } from '../../../core/console/authz';
import { requireDomain } from '../../../core/domains/domains';
import { describeSelection } from '../../../core/invitations/selection';
import { countByStatus, sendLinks } from '../../../core/invitations/send-links';
import { route } from '../../http/types';
import { adminOf, audit, type ConsoleDeps } from './context';
import { linkSendingDeps, selectionBody, selectionOf } from './link-sending';

export const invitationRoutes = (deps: ConsoleDeps) => [
  route({
    method: 'POST',
    path: '/api/console/domains/{domain}/invitations',
    summary:
      'Invite selected users (or all matching a filter) to the portal: a 7-day single-use link to each backup address to set their own password; above 50 links they are queued and mailed within minutes',
    body: selectionBody,
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      const selection = selectionOf(request.body);
      // More than IN_REQUEST_LINK_LIMIT links go out from Mail Flow's queue (deliver function).
      const results = await sendLinks(
        { ...linkSendingDeps(deps), queue: deps.queue },
        domain,
        selection,
        'invite',
      );
      const counts = countByStatus(results);
      // `refused` counts every user who got no link now and will not get one from the queue.
      const refused = counts.refused + counts.failed;
      await audit(deps, request, 'user.invite', domain.name, {
        sent: counts.sent,
        queued: counts.queued,
        refused,
        selection: describeSelection(selection),
      });
      return { status: 200, body: { sent: counts.sent, queued: counts.queued, refused, results } };
    },
  }),
];
