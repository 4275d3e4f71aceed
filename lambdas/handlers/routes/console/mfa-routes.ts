import { AppError } from '../../../core/errors';
import { CONSOLE_MFA_PATH, mfaRoutes, type MfaSessionApi } from '../mfa-routes';
import { actorOf, adminOf, audit, type ConsoleDeps } from './context';

/** The signed-in admin's own TOTP. An API token cannot change how its admin signs in. */
export function consoleMfaRoutes(deps: ConsoleDeps, session: MfaSessionApi) {
  if (!session.sessions.mfa) throw new Error('Console sessions were built without MFA');
  return mfaRoutes({
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
}
