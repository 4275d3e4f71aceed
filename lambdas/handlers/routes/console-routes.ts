import { adminSessions } from '../../core/auth/admin-sessions';
import type { SessionDeps } from '../../core/auth/sessions';
import { sessionApi } from './session-routes';

export function consoleApi(deps: SessionDeps) {
  const session = sessionApi({
    base: '/api/console',
    cookie: 'xm_console',
    sessions: adminSessions(deps),
    clock: deps.clock,
    present: (admin) => ({ admin }),
  });
  return { routes: [...session.routes], authenticate: session.authenticate };
}
