import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api } from './api';
import { requestPageFocus } from './router';

/**
 * Session handling shared by the console and the portal. The server sets an httpOnly cookie on
 * sign-in; the SPA never stores the token, it only remembers who is signed in and until when.
 */

export interface BaseSession {
  expiresAt: string;
  /** An administrator requires two-step sign-in and this account has none yet. */
  mfaEnrolmentRequired?: boolean;
}

/** The first sign-in step passed; a code must follow (`POST <session>/mfa`). */
export interface MfaChallenge {
  challenge: string;
  expiresAt: string;
}

/** What any sign-in route answers: the session, or a challenge for the second step. */
export type SignInAnswer<S> =
  (S & { token?: string; mfaRequired?: undefined }) | (MfaChallenge & { mfaRequired: true });

export type SessionState<S> =
  | { status: 'loading' }
  | { status: 'error'; error: ApiError }
  | { status: 'signedOut'; notice?: string }
  | { status: 'signedIn'; session: S };

export interface SessionControls<S> {
  state: SessionState<S>;
  /** Signs in, or returns the challenge when the account has two-step sign-in. */
  signIn(email: string, password: string): Promise<MfaChallenge | void>;
  /** The second step: a code from the authenticator app, or a recovery code. */
  completeMfa(challenge: string, code: string): Promise<void>;
  /** Takes the answer of any sign-in route (e.g. a sign-in link): signs in, or returns the challenge. */
  accept(answer: SignInAnswer<S>): MfaChallenge | void;
  signOut(): Promise<void>;
  retry(): void;
  /** Call when any API call answers 401: the session is gone. */
  expired(): void;
}

// setTimeout keeps delays in a signed 32-bit integer.
const MAX_TIMER_MS = 2_147_483_647;
export const SIGNED_OUT_NOTICE = 'You have signed out.';
export const EXPIRED_NOTICE = 'Your session has ended. Sign in again to carry on.';

export function useSession<S extends BaseSession>(endpoint: string): SessionControls<S> {
  const [state, setState] = useState<SessionState<S>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    api
      .get<S>(endpoint, controller.signal)
      .then((session) => setState({ status: 'signedIn', session }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 401) setState({ status: 'signedOut' });
        else setState({ status: 'error', error: asApiError(error) });
      });
    return () => controller.abort();
  }, [endpoint, attempt]);

  // Return to the sign-in page when the session runs out, rather than failing on the next click.
  const expiresAt = state.status === 'signedIn' ? state.session.expiresAt : undefined;
  useEffect(() => {
    if (!expiresAt) return;
    const remaining = Date.parse(expiresAt) - Date.now();
    if (Number.isNaN(remaining)) return;
    const timer = setTimeout(
      () => setState({ status: 'signedOut', notice: EXPIRED_NOTICE }),
      Math.min(Math.max(remaining, 0), MAX_TIMER_MS),
    );
    return () => clearTimeout(timer);
  }, [expiresAt]);

  const accept = useCallback((answer: SignInAnswer<S>): MfaChallenge | void => {
    if (answer.mfaRequired) return { challenge: answer.challenge, expiresAt: answer.expiresAt };
    const { token: _token, ...session } = answer;
    requestPageFocus();
    setState({ status: 'signedIn', session: session as unknown as S });
  }, []);

  const signIn = useCallback(
    async (email: string, password: string) =>
      accept(await api.post<SignInAnswer<S>>(endpoint, { email, password })),
    [endpoint, accept],
  );

  const completeMfa = useCallback(
    async (challenge: string, code: string) => {
      accept(await api.post<SignInAnswer<S>>(`${endpoint}/mfa`, { challenge, code }));
    },
    [endpoint, accept],
  );

  const signOut = useCallback(async () => {
    try {
      await api.delete(endpoint);
    } catch (error) {
      // Already signed out on the server: that is what the person wanted.
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
    requestPageFocus();
    setState({ status: 'signedOut', notice: SIGNED_OUT_NOTICE });
  }, [endpoint]);

  const retry = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const expired = useCallback(() => setState({ status: 'signedOut', notice: EXPIRED_NOTICE }), []);

  return { state, signIn, completeMfa, accept, signOut, retry, expired };
}

export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, 'client', 'Something went wrong in this page. Reload it and try again.');
}

/** The message to show when signing in fails. */
export function signInErrorMessage(error: unknown, unauthorizedMessage: string): string {
  const apiError = asApiError(error);
  if (apiError.status === 401) return unauthorizedMessage;
  if (apiError.status === 429) return tooManyAttemptsMessage(apiError.retryAfterSeconds);
  return apiError.message;
}

export function tooManyAttemptsMessage(retryAfterSeconds: number | undefined): string {
  if (retryAfterSeconds === undefined) return 'Too many attempts. Try again in a few minutes.';
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `Too many attempts. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
}

/** Wraps `signOut` for a button: busy while in flight, and the error to show if it fails. */
export function useSignOut(signOut: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await signOut();
    } catch (cause) {
      setError(asApiError(cause).message);
      setBusy(false);
    }
  };
  return { run, busy, error };
}
