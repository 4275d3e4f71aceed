/**
 * A failure the caller can act on. Handlers turn it into `{"error": {code, message}}` with
 * `status`; anything else becomes a 500 whose details stay in the logs.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what = 'Not found') => new AppError(404, 'not_found', what);
export const unauthorized = (message = 'Sign in to continue.') => new AppError(401, 'unauthorized', message);
export const badRequest = (message: string) => new AppError(400, 'bad_request', message);
