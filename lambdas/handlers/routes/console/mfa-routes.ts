import { adminMfa, portalMfa } from '../../../core/auth/mfa-accounts';
import { splitAddress } from '../../../core/addresses';
import { assertDomainAccess, assertPartner } from '../../../core/console/authz';
import { normalizeDomain } from '../../../core/entities/domain';
import { AppError, notFound } from '../../../core/errors';
import { route } from '../../http/types';
import { CONSOLE_MFA_PATH, mfaRoutes, type MfaSessionApi } from '../mfa-routes';
import { actorOf, adminOf, audit, type ConsoleDeps } from './context';

/**
 * The signed-in admin's own TOTP (an API token cannot change how its admin signs in), and the
 * resets for someone who lost both the phone and the recovery codes.
 */
export function consoleMfaRoutes(deps: ConsoleDeps, session: MfaSessionApi) {
  if (!session.sessions.mfa) throw new Error('Console sessions were built without MFA');
  const own = mfaRoutes({
    path: CONSOLE_MFA_PATH,
    mfa: session.sessions.mfa,
    renew: session.renew,
    subjectOf: (request) => adminOf(request).email,
    assertMayChange(request) {
      if (actorOf(request).tokenId)
        throw new AppError(
          403,
          'forbidden',
          'An API token cannot change two-step sign-in; sign in to the console.',
        );
    },
    onChange: (request, action) => audit(deps, request, `admin.mfa-${action}`, adminOf(request).email),
  });

  const resets = [
    route({
      method: 'DELETE',
      path: '/api/console/domains/{domain}/users/{address}/mfa',
      summary:
        "Turn off a portal user's two-step sign-in (lost phone and recovery codes); their sessions end. No change if it was off",
      async handle(request) {
        const domain = normalizeDomain(request.params.domain);
        assertDomainAccess(adminOf(request), domain);
        const address = request.params.address.toLowerCase();
        let inDomain = false;
        try {
          inDomain = splitAddress(address).domain === domain;
        } catch {
          inDomain = false;
        }
        if (!inDomain) throw notFound(`${address} is not a user of ${domain}.`);
        const wasOn = await portalMfa(deps).reset(address);
        if (wasOn) await audit(deps, request, 'user.mfa-reset', address);
        return { status: 200, body: { address, wasEnrolled: wasOn } };
      },
    }),
    route({
      method: 'DELETE',
      path: '/api/console/admins/{email}/mfa',
      summary:
        "Turn off another admin's two-step sign-in (partner admins; lost phone and recovery codes); their sessions end",
      async handle(request) {
        const admin = adminOf(request);
        assertPartner(admin, "reset another admin's two-step sign-in");
        const email = request.params.email.toLowerCase();
        if (email === admin.email)
          throw new AppError(
            400,
            'own_account',
            'Turn off your own two-step sign-in on your Account page, with a code.',
          );
        const wasOn = await adminMfa(deps).reset(email);
        if (wasOn) await audit(deps, request, 'admin.mfa-reset', email);
        return { status: 200, body: { email, wasEnrolled: wasOn } };
      },
    }),
  ];
  return [...own, ...resets];
}
