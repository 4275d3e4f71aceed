/**
 * The one way the SPA talks to `/api`: same-origin cookies, JSON in and out, and every
 * failure turned into an `ApiError` whose message can be shown to the person as it is.
 */

export const NETWORK_ERROR_MESSAGE = "Can't reach XtraMail. Check your connection and try again.";

export class ApiError extends Error {
  /** HTTP status, or 0 when the request never got a response. */
  readonly status: number;
  /** The server's machine-readable code (`error.code`), or a client-side one such as `network`. */
  readonly code: string;
  /** Seconds from a `Retry-After` header, when the server sent one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, code: string, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
}

export async function request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = {
    method,
    headers,
    credentials: 'same-origin',
    cache: 'no-store',
    signal: options.signal,
  };
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }

  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'network', NETWORK_ERROR_MESSAGE);
  }

  const text = await response.text().catch(() => '');
  if (!response.ok) {
    const error = errorFromResponse(response, text);
    if (isSessionGone(error, path)) sessionExpiredListener?.();
    else if (SESSION_STEPS.has(error.code)) sessionStepListener?.();
    throw error;
  }
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(
      response.status,
      'bad_response',
      "XtraMail sent a reply this page couldn't read. Reload the page and try again.",
    );
  }
}

let sessionExpiredListener: (() => void) | undefined;

/**
 * Registers what to do when any call (other than the session check itself) finds the session gone:
 * the console goes back to its sign-in page. Returns a function that removes the listener.
 */
export function onSessionExpired(listener: () => void): () => void {
  sessionExpiredListener = listener;
  return () => {
    if (sessionExpiredListener === listener) sessionExpiredListener = undefined;
  };
}

let sessionStepListener: (() => void) | undefined;

/** Refusals that mean the session must take a step first, e.g. a policy switched on meanwhile. */
const SESSION_STEPS = new Set(['mfa_enrolment_required', 'password_change_required']);

/**
 * Registers what to do when a call is refused until the user takes a step (set up two-step
 * sign-in, choose a password): the app re-reads its session and shows that step.
 */
export function onSessionNeedsStep(listener: () => void): () => void {
  sessionStepListener = listener;
  return () => {
    if (sessionStepListener === listener) sessionStepListener = undefined;
  };
}

/** A 401 means the session ended, except a wrong password (`invalid_credentials`) or the session route. */
function isSessionGone(error: ApiError, path: string): boolean {
  if (error.status !== 401 || error.code === 'invalid_credentials') return false;
  return !/\/session(\?|$)/.test(path);
}

/** `?a=1&b=x`, leaving out empty and undefined values; '' when nothing is left. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, { signal }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body }),
  delete: <T = void>(path: string) => request<T>('DELETE', path),
};

function errorFromResponse(response: Response, text: string): ApiError {
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  const body = parseErrorBody(text);
  if (body) return new ApiError(response.status, body.code, body.message, retryAfter);
  return new ApiError(
    response.status,
    `http_${response.status}`,
    fallbackMessage(response.status),
    retryAfter,
  );
}

function parseErrorBody(text: string): { code: string; message: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || !('error' in parsed)) return undefined;
    const error: unknown = parsed.error;
    if (typeof error !== 'object' || error === null) return undefined;
    const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    const message = 'message' in error && typeof error.message === 'string' ? error.message : undefined;
    if (!message) return undefined;
    return { code: code ?? 'error', message };
  } catch {
    return undefined;
  }
}

/** `Retry-After` is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

function fallbackMessage(status: number): string {
  if (status === 401) return 'Your session has ended. Sign in again.';
  if (status === 403) return "You don't have permission to do that. Ask a partner admin for access.";
  if (status === 404) return "That wasn't found. It may have been removed; reload the page and try again.";
  if (status === 429) return 'Too many requests. Wait a minute and try again.';
  if (status >= 500)
    return `XtraMail couldn't complete that request (HTTP ${status}). Try again in a moment.`;
  return `The request failed (HTTP ${status}). Reload the page and try again.`;
}
