import { z } from 'zod';
import type { MailSender } from '../../../adapters/mail-sender';
import type { Table } from '../../../adapters/table';
import type { PortalProfile } from '../../../core/auth/portal-sessions';
import type { Clock } from '../../../core/clock';
import { notFound } from '../../../core/errors';
import { outageStatus } from '../../../core/readiness/outage-status';
import { setBackupAddress } from '../../../core/users/backup-address';
import { takeBackupChange } from '../../../core/users/backup-address-rate-limit';
import { getUser } from '../../../core/users/users';
import type { PortalUser } from '../../../core/entities/portal-user';
import { route, type HttpRequest } from '../../http/types';
import type { Authenticated } from '../session-routes';

export interface ProfileDeps {
  table: Table;
  clock: Clock;
  sender: MailSender;
}

const addressOf = (request: HttpRequest<unknown, unknown>) =>
  (request.account as Authenticated<PortalProfile>).account.address;

/** The user's own view of their account: their backup address is theirs to see in full. */
const profileView = (user: PortalUser) => ({
  address: user.address,
  backupAddress: user.backupAddress ?? null,
  mfaEnrolled: Boolean(user.mfaEnrolledAt),
  lastSignInAt: user.lastSignInAt ?? null,
});

/** The portal profile (backup address) and the outage banner's status. */
export const profileRoutes = (deps: ProfileDeps) => [
  route({
    method: 'GET',
    path: '/api/portal/profile',
    summary: 'Your account: address, backup address, whether MFA is on, last sign-in',
    async handle(request) {
      const user = await getUser(deps, addressOf(request));
      if (!user) throw notFound('Your account no longer exists.');
      return { status: 200, body: profileView(user) };
    },
  }),
  route({
    method: 'PUT',
    path: '/api/portal/profile/backup-address',
    summary:
      'Set (or with null remove) your backup address for sign-in links (5 changes an hour); the old and the new address are told',
    body: z.object({ backupAddress: z.string().trim().min(1).max(320).nullable() }),
    async handle(request) {
      await takeBackupChange(deps, addressOf(request));
      const result = await setBackupAddress(deps, addressOf(request), request.body.backupAddress);
      return { status: 200, body: profileView(result.user) };
    },
  }),
  route({
    method: 'GET',
    path: '/api/portal/status',
    summary:
      "Whether your domain's mail is not reaching your main mailbox (Mail Flow paused or Bad), with your administrator's notice",
    async handle(request) {
      return { status: 200, body: await outageStatus(deps, addressOf(request)) };
    },
  }),
];
