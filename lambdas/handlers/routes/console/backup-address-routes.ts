import { z } from 'zod';
import type { MailSender } from '../../../adapters/mail-sender';
import { assertDomainAccess } from '../../../core/console/authz';
import { requireDomain } from '../../../core/domains/domains';
import { importBackupAddresses, MAX_IMPORT_BYTES } from '../../../core/users/backup-address-import';
import { maskAddress, setBackupAddress } from '../../../core/users/backup-address';
import { userView } from '../../../core/users/users';
import { route } from '../../http/types';
import { adminOf, audit, type ConsoleDeps } from './context';

/** Backup addresses set by admins: one user at a time, or a CSV file for a domain. */
export const backupAddressRoutes = (deps: ConsoleDeps & { sender?: MailSender }) => [
  route({
    method: 'PUT',
    path: '/api/console/domains/{domain}/users/{address}/backup-address',
    summary:
      "Set (or with null remove) a user's backup address for sign-in links; the old and the new address are told",
    body: z.object({ backupAddress: z.string().trim().min(1).max(320).nullable() }),
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      const result = await setBackupAddress(deps, request.params.address, request.body.backupAddress, {
        domain: domain.name,
      });
      if (result.changed)
        await audit(deps, request, 'user.backup-address', result.user.address, {
          from: result.previous ? maskAddress(result.previous) : null,
          to: result.user.backupAddress ? maskAddress(result.user.backupAddress) : null,
        });
      return { status: 200, body: userView(result.user, domain, deps.clock.now()) };
    },
  }),
  route({
    method: 'POST',
    path: '/api/console/domains/{domain}/backup-addresses',
    summary: 'Import backup addresses from CSV (address,backupAddress; at most 500 rows): an outcome per row',
    body: z.object({
      csv: z
        .string()
        .min(1)
        .max(MAX_IMPORT_BYTES * 2),
    }),
    async handle(request) {
      assertDomainAccess(adminOf(request), request.params.domain);
      const domain = await requireDomain(deps, request.params.domain);
      const result = await importBackupAddresses(deps, domain.name, request.body.csv);
      await audit(deps, request, 'user.backup-address-import', domain.name, { ...result.counts });
      return { status: 200, body: result };
    },
  }),
];
