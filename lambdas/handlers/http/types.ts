import type { z } from 'zod';

export interface HttpRequest<Body = unknown, Query = Record<string, string>> {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Query;
  headers: Record<string, string>;
  cookies: Record<string, string>;
  body: Body;
  sourceIp: string;
  /** The signed-in account, set by the session middleware on routes that require one. */
  account?: unknown;
}

export interface HttpResponse {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, with this content type, instead of a JSON `body`. */
  raw?: { contentType: string; body: string };
  /** Replace the defaults (`Cache-Control`, `Content-Security-Policy`, …) name for name, in any case. */
  headers?: Record<string, string>;
  cookies?: string[];
}

export interface Route<Schema extends z.ZodType = z.ZodType, Query extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `/api/console/domains/{domain}`: braces name path parameters. */
  path: string;
  summary: string;
  body?: Schema;
  /** Validates (and coerces) the query string; the parsed value replaces `request.query`. */
  query?: Query;
  /** Public routes (sign-in, the OpenAPI document) set this; every other route needs a session. */
  public?: boolean;
  handle(request: HttpRequest<z.infer<Schema>, z.infer<Query>>): Promise<HttpResponse>;
}

/** Keeps each route's body and query types tied to their schemas. */
export const route = <Schema extends z.ZodType = z.ZodUnknown, Query extends z.ZodType = z.ZodUnknown>(
  definition: Route<Schema, Query>,
): Route => definition as unknown as Route;
