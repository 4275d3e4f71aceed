import type { z } from 'zod';

export interface HttpRequest<Body = unknown> {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  cookies: Record<string, string>;
  body: Body;
  sourceIp: string;
  /** The signed-in account, set by the session middleware on routes that require one. */
  account?: unknown;
}

export interface HttpResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  cookies?: string[];
}

export interface Route<Schema extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `/api/console/domains/{domain}`: braces name path parameters. */
  path: string;
  summary: string;
  body?: Schema;
  /** Public routes (sign-in, the OpenAPI document) set this; every other route needs a session. */
  public?: boolean;
  handle(request: HttpRequest<z.infer<Schema>>): Promise<HttpResponse>;
}

/** Keeps each route's body type tied to its schema. */
export const route = <Schema extends z.ZodType>(definition: Route<Schema>): Route =>
  definition as unknown as Route;
