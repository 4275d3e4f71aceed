import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { MailSender } from '../../../adapters/mail-sender';
import type { PortalProfile } from '../../../core/auth/portal-sessions';
import type { SessionDeps } from '../../../core/auth/sessions';
import { consumeLink, peekLink } from '../../../core/auth/sign-in-links';
import { requestSignInLink, SIGN_IN_LINK_ANSWER } from '../../../core/auth/sign-in-links-request';
import { awaitDrillSignIn, recordDrillCompletion } from '../../../core/drills/drills';
import { AppError } from '../../../core/errors';
import { acceptInvitation } from '../../../core/invitations/accept-invitation';
import { route } from '../../http/types';
import type { sessionApi } from '../session-routes';
import { portalBaseUrl } from './portal-url';

export interface LinkRouteDeps extends SessionDeps {
  sender: MailSender;
  portalUrl?: () => string;
}

/**
 * Every answer to a link request takes at least this long, so a request that sends mail
 * (a lookup, two writes and an SES call) cannot be told from one that does not by its timing.
 */
export const LINK_REQUEST_MIN_MS = 400;

const token = z.string().trim().min(1).max(200);

export function linkRoutes(deps: LinkRouteDeps, session: ReturnType<typeof sessionApi<PortalProfile>>) {
  // Built per request, never by spreading `deps`: the runtime's adapters are lazy getters.
  const mailDeps = () => ({
    table: deps.table,
    clock: deps.clock,
    sender: deps.sender,
    portalUrl: deps.portalUrl ?? portalBaseUrl,
  });
  return [
    route({
      method: 'POST',
      path: '/api/portal/sign-in-link',
      public: true,
      summary:
        'Email a single-use sign-in link (15 minutes) to the account’s backup address; answers the same whether or not the account exists',
      body: z.object({ email: z.string().trim().min(1).max(320) }),
      async handle(request) {
        const started = Date.now();
        try {
          await requestSignInLink(mailDeps(), request.body.email, request.sourceIp);
        } catch (error) {
          // Only the caller's own rate limit is told; any other failure looks like success.
          if (error instanceof AppError && error.status === 429) throw error;
          console.error('A sign-in link request failed', error);
        }
        await sleep(Math.max(0, LINK_REQUEST_MIN_MS - (Date.now() - started)));
        return { status: 202, body: SIGN_IN_LINK_ANSWER };
      },
    }),
    route({
      method: 'POST',
      path: '/api/portal/session/link',
      public: true,
      summary:
        'Sign in with a single-use link (sign-in, fire drill), or accept an invitation with newPassword; answers 409 choose_password for an invitation without one',
      body: z.object({ token, newPassword: z.string().min(1).max(1024).optional() }),
      async handle(request) {
        const { newPassword } = request.body;
        const peeked = await peekLink(deps, request.body.token);
        if (peeked.purpose === 'invite') {
          if (newPassword === undefined) {
            throw new AppError(409, 'choose_password', 'Choose your password to accept the invitation.');
          }
          const { address } = await acceptInvitation(deps, request.body.token, newPassword);
          return session.respond(await session.sessions.signInVerified(address));
        }
        const used = await consumeLink(deps, request.body.token, ['sign-in', 'drill']);
        const signedIn = await session.sessions.signInVerified(used.address);
        if (used.purpose === 'drill' && used.drillId) {
          // With two-step sign-in on, the drill completes once the code is in too.
          if (signedIn.mfaRequired) await awaitDrillSignIn(deps, used.drillId, used.address);
          else await recordDrillCompletion(deps, used.drillId, used.address);
        }
        return session.respond(signedIn);
      },
    }),
  ];
}
