import { z } from 'zod';
import { AppError } from '../../core/errors';
import type { Clock } from '../../core/clock';
import type { Sessions, SignedIn } from '../../core/auth/sessions';
import { clearedCookie, sessionCookie, sessionToken } from '../http/cookies';
import { route, type HttpRequest, type HttpResponse } from '../http/types';

const signInBody = z.object({
  email: z.string().trim().min(3).max(320),
  password: z.string().min(1).max(1024),
});

export interface SessionApiOptions<A> {
  /** `/api/console` or `/api/portal`. */
  base: string;
  cookie: string;
  sessions: Sessions<A>;
  clock: Clock;
  /** The signed-in account as the API shows it, e.g. `{ admin: {...} }`. */
  present(account: A): Record<string, unknown>;
  /** Told of every sign-in attempt that got as far as checking a password. */
  onSignIn?(email: string, outcome: 'success' | 'failure'): Promise<void>;
}

export interface Authenticated<A> {
  account: A;
  expiresAt: Date;
}

/**
 * One audience's sessions over HTTP: POST (sign in), GET (who am I) and DELETE (sign out) on
 * `<base>/session`, and the check the session middleware runs for every other route.
 */
export function sessionApi<A>(options: SessionApiOptions<A>) {
  const { base, cookie, sessions, clock, present } = options;
  const path = `${base}/session`;
  const authenticate = (request: HttpRequest): Promise<Authenticated<A>> =>
    sessions.authenticate(sessionToken(request, cookie));

  /**
   * The answer to any successful sign-in (password, sign-in link, invitation): the session
   * token in the body and the cookie. Every sign-in route must answer through this, so later
   * steps (MFA) apply to all of them.
   */
  const respond = (signedIn: SignedIn<A>): HttpResponse => ({
    status: 200,
    body: {
      token: signedIn.token,
      expiresAt: signedIn.expiresAt.toISOString(),
      ...present(signedIn.account),
    },
    cookies: [sessionCookie(cookie, signedIn.token, base, signedIn.expiresAt, clock.now())],
  });

  const routes = [
    route({
      method: 'POST',
      path,
      public: true,
      summary: 'Sign in; returns a session token and sets the session cookie',
      body: signInBody,
      async handle(request) {
        const attempt = {
          email: request.body.email,
          password: request.body.password,
          sourceIp: request.sourceIp,
        };
        const signedIn = await sessions.signIn(attempt).then(
          async (result) => {
            await options.onSignIn?.(attempt.email, 'success');
            return result;
          },
          async (error) => {
            if (error instanceof AppError && error.status === 401)
              await options.onSignIn?.(attempt.email, 'failure');
            throw error;
          },
        );
        return respond(signedIn);
      },
    }),
    route({
      method: 'GET',
      path,
      summary: 'The signed-in account',
      async handle(request) {
        // An API token has no expiry of its own (it lasts until revoked).
        const { account, expiresAt } = request.account as Partial<Authenticated<A>> & { account: A };
        return { status: 200, body: { expiresAt: expiresAt?.toISOString() ?? null, ...present(account) } };
      },
    }),
    route({
      method: 'DELETE',
      path,
      public: true,
      summary: 'Sign out (clears the session cookie)',
      async handle() {
        return { status: 204, cookies: [clearedCookie(cookie, base)] };
      },
    }),
  ];
  return { routes, authenticate, respond, sessions };
}
