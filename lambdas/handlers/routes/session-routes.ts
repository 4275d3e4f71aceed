import { z } from 'zod';
import { AppError } from '../../core/errors';
import type { Clock } from '../../core/clock';
import { issueSessionToken } from '../../core/auth/session-token';
import type { Sessions, SignedIn } from '../../core/auth/sessions';
import { clearedCookie, sessionCookie, sessionToken } from '../http/cookies';
import { route, type HttpRequest, type HttpResponse } from '../http/types';

const signInBody = z.object({
  email: z.string().trim().min(3).max(320),
  password: z.string().min(1).max(1024),
});

const mfaStepBody = z.object({
  challenge: z.string().min(1).max(4096),
  code: z.string().trim().min(1).max(64),
});

export interface SessionApiOptions<A> {
  /** `/api/console` or `/api/portal`. */
  base: string;
  cookie: string;
  sessions: Sessions<A>;
  clock: Clock;
  /** The signed-in account as the API shows it, e.g. `{ admin: {...} }`. */
  present(account: A): Record<string, unknown>;
  /**
   * Told of every sign-in attempt that got as far as checking a password, and of every code
   * checked in the second step. With MFA on, success means both steps passed.
   */
  onSignIn?(email: string, outcome: 'success' | 'failure'): Promise<void>;
  /** The account's MFA routes (`<base>/account/mfa`): open while enrolment is required. */
  mfaPath: string;
  /** Other routes open while enrolment is required, e.g. `PUT /api/portal/password`. */
  allowedWhileEnrolling?: string[];
}

export interface Authenticated<A> {
  account: A;
  expiresAt: Date;
  /** A policy requires MFA and the account has none yet: only enrolment answers. */
  mfaEnrolmentRequired?: boolean;
  /** Signed in with a link moments ago: a new password may be set without the old one until then. */
  passwordResetUntil?: Date;
}

/**
 * One audience's sessions over HTTP: POST (sign in), GET (who am I) and DELETE (sign out) on
 * `<base>/session`, and the check the session middleware runs for every other route.
 */
export function sessionApi<A>(options: SessionApiOptions<A>) {
  const { base, cookie, sessions, clock, present, mfaPath } = options;
  const path = `${base}/session`;
  const openWhileEnrolling = new Set([
    `GET ${path}`,
    `DELETE ${path}`,
    ...(options.allowedWhileEnrolling ?? []),
  ]);
  /**
   * The session behind a request. While a policy requires MFA that the account lacks, every
   * route but the session itself and the MFA enrolment routes answers 403, as a temporary
   * password does until it is changed.
   */
  const authenticate = async (request: HttpRequest): Promise<Authenticated<A>> => {
    const signedIn = await sessions.authenticate(sessionToken(request, cookie));
    const enrolling = request.path === mfaPath || request.path.startsWith(`${mfaPath}/`);
    if (
      signedIn.mfaEnrolmentRequired &&
      !enrolling &&
      !openWhileEnrolling.has(`${request.method} ${request.path}`)
    ) {
      throw new AppError(
        403,
        'mfa_enrolment_required',
        'Set up two-step sign-in before continuing: your administrator requires it.',
      );
    }
    return signedIn;
  };

  /** A fresh session after the account's tokenVersion moved (MFA turned on or off). */
  const renew = async (subject: string, tokenVersion: number) => {
    const now = clock.now();
    const { token, expiresAt } = await issueSessionToken(
      { subject, audience: sessions.audience, tokenVersion },
      await sessions.signingKey(),
      now,
    );
    return { token, expiresAt, cookie: sessionCookie(cookie, token, base, expiresAt, now) };
  };

  /**
   * The answer to any successful sign-in (password, sign-in link, invitation): the session
   * token in the body and the cookie. Every sign-in route must answer through this, so later
   * steps (MFA) apply to all of them. With MFA on, the answer is a challenge for
   * `POST <base>/session/mfa` and no cookie.
   */
  const respond = (signedIn: SignedIn<A>): HttpResponse =>
    signedIn.mfaRequired
      ? {
          status: 200,
          body: {
            mfaRequired: true,
            challenge: signedIn.challenge,
            expiresAt: signedIn.expiresAt.toISOString(),
          },
        }
      : {
          status: 200,
          body: {
            token: signedIn.token,
            expiresAt: signedIn.expiresAt.toISOString(),
            ...present(signedIn.account),
            ...(signedIn.mfaEnrolmentRequired ? { mfaEnrolmentRequired: true } : {}),
            ...(signedIn.passwordResetUntil
              ? { passwordResetUntil: signedIn.passwordResetUntil.toISOString() }
              : {}),
          },
          cookies: [sessionCookie(cookie, signedIn.token, base, signedIn.expiresAt, clock.now())],
        };

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
            // With MFA on, the sign-in succeeds (or not) at the second step.
            if (!result.mfaRequired) await options.onSignIn?.(attempt.email, 'success');
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
      method: 'POST',
      path: `${path}/mfa`,
      public: true,
      summary:
        'The second sign-in step: the challenge from the first and a TOTP or recovery code; returns the session',
      body: mfaStepBody,
      async handle(request) {
        const { challenge, code } = request.body;
        return respond(await sessions.completeMfa(challenge, code, request.sourceIp, options.onSignIn));
      },
    }),
    route({
      method: 'GET',
      path,
      summary: 'The signed-in account (mfaEnrolmentRequired: true until required MFA is set up)',
      async handle(request) {
        // An API token has no expiry of its own (it lasts until revoked).
        const { account, expiresAt, mfaEnrolmentRequired, passwordResetUntil } = request.account as Partial<
          Authenticated<A>
        > & {
          account: A;
        };
        return {
          status: 200,
          body: {
            expiresAt: expiresAt?.toISOString() ?? null,
            ...present(account),
            ...(mfaEnrolmentRequired ? { mfaEnrolmentRequired: true } : {}),
            ...(passwordResetUntil ? { passwordResetUntil: passwordResetUntil.toISOString() } : {}),
          },
        };
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
  return { routes, authenticate, respond, sessions, renew };
}
