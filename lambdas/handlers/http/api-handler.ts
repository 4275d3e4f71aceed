import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { z } from 'zod';
import { AppError, badRequest } from '../../core/errors';
import { parseCookies } from './cookies';
import { API_CONTENT_SECURITY_POLICY, API_FRAME_OPTIONS, mergeHeaders } from './headers';
import { verifiedSourceIp } from './origin-guard';
import { Router } from './router';
import type { HttpRequest, HttpResponse, Route } from './types';

type Result = APIGatewayProxyStructuredResultV2;
type Middleware = middy.MiddlewareObj<APIGatewayProxyEventV2, Result>;

/** What the middlewares work out for one invocation, handed on to the route. */
interface Matched {
  route: Route;
  request: HttpRequest;
}
const matched = new WeakMap<Context, Matched>();

const errorBody = (code: string, message: string) => ({ error: { code, message } });

/**
 * A route's response as API Gateway sends it: JSON (or a raw body), never cached, under the
 * API's strict CSP and frame options unless the route set its own.
 */
export function toResult(response: HttpResponse): Result {
  const { raw } = response;
  const json = !raw && response.body !== undefined;
  const contentType = raw?.contentType ?? (json ? 'application/json; charset=utf-8' : undefined);
  const defaults: Record<string, string> = {
    'Cache-Control': 'no-store',
    'Content-Security-Policy': API_CONTENT_SECURITY_POLICY,
    'X-Frame-Options': API_FRAME_OPTIONS,
    ...(contentType ? { 'Content-Type': contentType } : {}),
  };
  return {
    statusCode: response.status,
    headers: mergeHeaders(defaults, response.headers),
    ...(raw ? { body: raw.body } : json ? { body: JSON.stringify(response.body) } : {}),
    ...(response.cookies?.length ? { cookies: response.cookies } : {}),
  };
}

function parseBody(event: APIGatewayProxyEventV2, route: Route): unknown {
  if (!route.body) return undefined;
  if (!event.body) throw badRequest('This request needs a JSON body.');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON.');
  }
  const parsed = route.body.safeParse(json);
  if (!parsed.success) throw new AppError(400, 'invalid_request', z.prettifyError(parsed.error));
  return parsed.data;
}

const lowerCaseKeys = (headers: Record<string, string | undefined> | undefined) =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']));

/** Turns any failure into the API's JSON error shape; unexpected ones are logged, not shown. */
const errorResponses = (): Middleware => ({
  onError: async (request) => {
    const { error } = request;
    if (error instanceof AppError) {
      request.response = toResult({
        status: error.status,
        body: errorBody(error.code, error.message),
        headers: error.headers,
      });
      return;
    }
    console.error(
      JSON.stringify({ level: 'ERROR', message: 'Unhandled API error', error: String(error?.stack) }),
    );
    request.response = toResult({
      status: 500,
      body: errorBody(
        'internal',
        `Something went wrong on our side. Try again; if it keeps happening, tell your administrator (request ${request.context.awsRequestId}).`,
      ),
    });
  },
});

/** Finds the route for the method and path, and validates the request against its schema. */
const matchRoute = (router: Router, originSecret: () => Promise<string | undefined>): Middleware => ({
  before: async ({ event, context }) => {
    const sourceIp = verifiedSourceIp(event, await originSecret());
    const method = event.requestContext.http.method.toUpperCase();
    const { route, params, allowed } = router.match(method, event.rawPath);
    if (!route) {
      if (allowed.length) {
        throw new AppError(405, 'method_not_allowed', `Use ${allowed.join(' or ')} here.`, {
          Allow: allowed.join(', '),
        });
      }
      throw new AppError(404, 'not_found', `There is no API route ${event.rawPath}.`);
    }
    const request: HttpRequest = {
      method,
      path: event.rawPath,
      params,
      query: Object.fromEntries(
        Object.entries(event.queryStringParameters ?? {}).map(([k, v]) => [k, v ?? '']),
      ),
      headers: lowerCaseKeys(event.headers),
      cookies: parseCookies(event.cookies),
      body: undefined,
      sourceIp,
    };
    matched.set(context, { route, request });
    request.body = parseBody(event, route);
    if (route.query) {
      const parsed = route.query.safeParse(request.query);
      if (!parsed.success) throw new AppError(400, 'invalid_request', z.prettifyError(parsed.error));
      request.query = parsed.data as Record<string, string>;
    }
  },
});

/** Every route that is not public needs a valid session; the account rides on the request. */
const requireSession = (authenticate: (request: HttpRequest) => Promise<unknown>): Middleware => ({
  before: async ({ context }) => {
    const state = matched.get(context);
    if (state && !state.route.public) state.request.account = await authenticate(state.request);
  },
});

/** One Lambda handler for a set of routes: match, validate, authenticate, call the route. */
export function apiHandler(
  routes: Route[],
  authenticate: (request: HttpRequest) => Promise<unknown>,
  /** The secret CloudFront sends with every request; undefined where there is no CloudFront. */
  originSecret: () => Promise<string | undefined> = async () => undefined,
) {
  const router = new Router(routes);
  return middy<APIGatewayProxyEventV2, Result>()
    .use(errorResponses())
    .use(matchRoute(router, originSecret))
    .use(requireSession(authenticate))
    .handler(async (_event, context) => {
      const state = matched.get(context);
      if (!state) throw new Error('No route was matched');
      matched.delete(context);
      return toResult(await state.route.handle(state.request));
    });
}
