import { portalSessions } from '../../core/auth/portal-sessions';
import type { SessionDeps } from '../../core/auth/sessions';
import { sessionApi } from './session-routes';

export function portalApi(deps: SessionDeps) {
  const session = sessionApi({
    base: '/api/portal',
    cookie: 'xm_portal',
    sessions: portalSessions(deps),
    clock: deps.clock,
    present: (user) => ({ user: { address: user.address }, mustChangePassword: user.mustChangePassword }),
  });
  return { routes: [...session.routes], authenticate: session.authenticate };
}
