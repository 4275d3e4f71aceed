import { assertDomainAccess } from '../../../core/console/authz';
import { requireDomain } from '../../../core/domains/domains';
import { describeSelection } from '../../../core/invitations/selection';
import { sendLinks } from '../../../core/invitations/send-links';
import { route } from '../../http/types';
import { adminOf, audit, type ConsoleDeps } from './context';
import { linkSendingDeps, selectionBody, selectionOf } from './link-sending';

export const invitationRoutes = (deps: ConsoleDeps) => [
  route({
    method: 'POST',
    path: '/api/console/domains/{domain}/invitations',
    summary:
      'Invite selected users (or all matching a filter) to the portal: a 7-day single-use link to each backup address to set their own password',
    body: selectionBody,
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      const selection = selectionOf(request.body);
      const results = await sendLinks(linkSendingDeps(deps), domain, selection, 'invite');
      const sent = results.filter((r) => r.sent).length;
      await audit(deps, request, 'user.invite', domain.name, {
        sent,
        refused: results.length - sent,
        selection: describeSelection(selection),
      });
      return { status: 200, body: { sent, refused: results.length - sent, results } };
    },
  }),
];
