import { z } from 'zod';
import { assertDomainAccess } from '../../../core/console/authz';
import { requireDomain } from '../../../core/domains/domains';
import type { LogEntry } from '../../../core/entities/log-entry';
import { listLogs } from '../../../core/logs/list-logs';
import { route } from '../../http/types';
import { adminOf, type ConsoleDeps } from './context';

const contains = (value: string, part: string | undefined) =>
  !part || value.toLowerCase().includes(part.toLowerCase());

const present = (entry: LogEntry) => ({
  id: `${entry.sesMessageId}:${entry.recipient}`,
  ...entry,
  receivedAt: entry.receivedAt.toISOString(),
});

export const logRoutes = (deps: ConsoleDeps) => [
  route({
    method: 'GET',
    path: '/api/console/domains/{domain}/logs',
    summary: 'Message logs of the last 14 days (every domain, XtraMail on or off), newest first',
    query: z.object({
      from: z.iso.datetime({ offset: true }).optional(),
      to: z.iso.datetime({ offset: true }).optional(),
      sender: z.string().max(320).optional(),
      recipient: z.string().max(320).optional(),
      subject: z.string().max(500).optional(),
      action: z.string().max(40).optional(),
      limit: z.coerce.number().int().min(1).max(200).optional(),
      cursor: z.string().max(2048).optional(),
    }),
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      const { from, to, sender, recipient, subject, action, limit, cursor } = request.query;
      const page = await listLogs(deps, domain.name, {
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
        limit,
        cursor,
        matches: (entry) =>
          (contains(entry.envelopeSender, sender) || contains(entry.from, sender)) &&
          contains(entry.recipient, recipient) &&
          contains(entry.subject, subject) &&
          (!action || entry.action === action),
      });
      return { status: 200, body: { items: page.items.map(present), nextCursor: page.nextCursor } };
    },
  }),
];
