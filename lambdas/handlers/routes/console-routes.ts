import { adminSessions } from '../../core/auth/admin-sessions';
import { ApiTokens, isApiToken } from '../../core/auth/api-tokens';
import { recordAudit } from '../../core/audit/audit';
import { normalizeAddress } from '../../core/addresses';
import { sessionToken } from '../http/cookies';
import type { HttpRequest } from '../http/types';
import { accountRoutes } from './console/account-routes';
import { backupAddressRoutes } from './console/backup-address-routes';
import type { ConsoleActor, ConsoleDeps } from './console/context';
import { domainRoutes } from './console/domain-routes';
import { drillRoutes } from './console/drill-routes';
import { invitationRoutes } from './console/invitation-routes';
import { logRoutes } from './console/log-routes';
import { mailFlowRoutes } from './console/mail-flow-routes';
import { consoleMfaRoutes } from './console/mfa-routes';
import { securityRoutes } from './console/security-routes';
import { readinessRoutes } from './console/readiness-routes';
import { userRoutes } from './console/user-routes';
import { CONSOLE_MFA_PATH } from './mfa-routes';
import { sessionApi } from './session-routes';

const COOKIE = 'xm_console';

export function consoleApi(deps: ConsoleDeps) {
  const sessions = adminSessions(deps);
  const tokens = new ApiTokens(deps);
  const session = sessionApi({
    base: '/api/console',
    cookie: COOKIE,
    sessions,
    clock: deps.clock,
    present: (admin) => ({ admin }),
    mfaPath: CONSOLE_MFA_PATH,
    allowedWhileEnrolling: ['PUT /api/console/password'],
    onSignIn: (email, outcome) =>
      recordAudit(deps, {
        actor: normalizeAddress(email),
        action: outcome === 'success' ? 'admin.sign-in' : 'admin.sign-in-failed',
        target: 'console',
      }),
  });

  /** A browser session (cookie or bearer JWT), or an API token acting with its creator's scope. */
  const authenticate = async (request: HttpRequest): Promise<ConsoleActor> => {
    const token = sessionToken(request, COOKIE);
    if (token && isApiToken(token)) return tokens.authenticate(token);
    return session.authenticate(request);
  };

  return {
    routes: [
      ...session.routes,
      ...domainRoutes(deps),
      ...userRoutes(deps),
      ...logRoutes(deps),
      ...mailFlowRoutes(deps),
      ...invitationRoutes(deps),
      ...drillRoutes(deps),
      ...backupAddressRoutes(deps),
      ...readinessRoutes(deps),
      ...accountRoutes(deps, tokens),
      ...consoleMfaRoutes(deps, session),
      ...securityRoutes(deps),
    ],
    authenticate,
  };
}
