import {
  clearedCookie,
  parseCookies,
  sessionCookie,
  sessionToken,
} from '../../lambdas/handlers/http/cookies';
import { toResult } from '../../lambdas/handlers/http/api-handler';
import { API_CONTENT_SECURITY_POLICY, mergeHeaders } from '../../lambdas/handlers/http/headers';
import { Router } from '../../lambdas/handlers/http/router';
import { route, type Route } from '../../lambdas/handlers/http/types';

const ok = async () => ({ status: 200 });
const r = (method: Route['method'], path: string): Route =>
  route({ method, path, summary: `${method} ${path}`, handle: ok });

describe('Router', () => {
  const routes = [
    r('GET', '/api/console/domains'),
    r('POST', '/api/console/domains'),
    r('GET', '/api/console/domains/{domain}'),
    r('DELETE', '/api/console/domains/{domain}'),
    r('GET', '/api/console/domains/{domain}/users/{user}'),
    r('GET', '/api/openapi.json'),
  ];
  const router = new Router(routes);

  test('matches method and path, with or without a trailing slash', () => {
    expect(router.match('GET', '/api/console/domains')).toEqual({
      route: routes[0],
      params: {},
      allowed: [],
    });
    expect(router.match('POST', '/api/console/domains').route).toBe(routes[1]);
    expect(router.match('GET', '/api/console/domains/').route).toBe(routes[0]);
  });

  test('extracts and decodes path parameters', () => {
    expect(router.match('GET', '/api/console/domains/example.com')).toMatchObject({
      route: routes[2],
      params: { domain: 'example.com' },
    });
    expect(router.match('GET', '/api/console/domains/ex%20ample.com/users/bob%40example.com')).toMatchObject({
      route: routes[4],
      params: { domain: 'ex ample.com', user: 'bob@example.com' },
    });
  });

  test('a path parameter that is not valid percent-encoding is a 400, not a crash', () => {
    const router = new Router([r('GET', '/api/console/domains/{domain}')]);
    expect(() => router.match('GET', '/api/console/domains/%E0%A4%A')).toThrow(
      expect.objectContaining({ status: 400, code: 'bad_request' }),
    );
  });

  test('a parameter is one segment and the whole path must match', () => {
    expect(router.match('GET', '/api/console/domains/a/b').route).toBeUndefined();
    expect(router.match('GET', '/api/console/domains//users/x').route).toBeUndefined();
    expect(router.match('GET', '/prefix/api/console/domains').route).toBeUndefined();
    expect(router.match('GET', '/api/console/domainsX').route).toBeUndefined();
  });

  test('literal segments are matched literally (a "." is not a wildcard)', () => {
    expect(router.match('GET', '/api/openapi.json').route).toBe(routes[5]);
    expect(router.match('GET', '/api/openapiXjson').route).toBeUndefined();
  });

  test('a known path with another method lists the methods it allows, for a 405', () => {
    expect(router.match('PUT', '/api/console/domains')).toEqual({ params: {}, allowed: ['GET', 'POST'] });
    expect(router.match('PATCH', '/api/console/domains/example.com')).toEqual({
      params: {},
      allowed: ['GET', 'DELETE'],
    });
  });

  test('an unknown path matches nothing and allows nothing (a 404)', () => {
    expect(router.match('GET', '/api/nowhere')).toEqual({ params: {}, allowed: [] });
  });
});

describe('session cookies', () => {
  const now = new Date('2025-01-06T12:00:00.000Z');

  test('the session cookie is HttpOnly, Secure, SameSite=Strict, scoped to its API path, with Max-Age', () => {
    const cookie = sessionCookie(
      'xm_console',
      'tok.en.value',
      '/api/console',
      new Date(now.getTime() + 8 * 3600_000),
      now,
    );
    const [pair, ...attributes] = cookie.split(';').map((part) => part.trim());
    expect(pair).toBe('xm_console=tok.en.value');
    expect(attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/api/console', 'Max-Age=28800']),
    );
    expect(attributes).toHaveLength(5);
    expect(cookie).not.toMatch(/Domain=/i);
  });

  test('Max-Age is never negative', () => {
    expect(sessionCookie('c', 't', '/', new Date(now.getTime() - 5000), now)).toContain('Max-Age=0;');
  });

  test('the cleared cookie empties the value and expires at once, with the same attributes', () => {
    const cookie = clearedCookie('xm_portal', '/api/portal');
    const [pair, ...attributes] = cookie.split(';').map((part) => part.trim());
    expect(pair).toBe('xm_portal=');
    expect(attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/api/portal', 'Max-Age=0']),
    );
  });

  test('parseCookies reads API Gateway cookie lists, including several pairs in one entry', () => {
    expect(
      parseCookies(['xm_console=abc', 'theme=dark; lang = en ', 'padded=YQ==', 'junk', '=novalue']),
    ).toEqual({
      xm_console: 'abc',
      theme: 'dark',
      lang: 'en',
      padded: 'YQ==',
    });
    expect(parseCookies(undefined)).toEqual({});
  });

  test('sessionToken prefers the bearer token over the cookie', () => {
    const request = {
      headers: { authorization: 'Bearer from-header' },
      cookies: { xm_console: 'from-cookie' },
    };
    expect(sessionToken(request, 'xm_console')).toBe('from-header');
    expect(sessionToken({ ...request, headers: { authorization: 'bearer   lower' } }, 'xm_console')).toBe(
      'lower',
    );
  });

  test('sessionToken falls back to the named cookie, and gives undefined when there is none', () => {
    const cookies = { xm_console: 'console-token', xm_portal: 'portal-token' };
    expect(sessionToken({ headers: {}, cookies }, 'xm_portal')).toBe('portal-token');
    expect(sessionToken({ headers: { authorization: 'Basic dXNlcjpwYXNz' }, cookies }, 'xm_console')).toBe(
      'console-token',
    );
    expect(sessionToken({ headers: {}, cookies: { xm_console: '' } }, 'xm_console')).toBeUndefined();
    expect(sessionToken({ headers: {}, cookies: {} }, 'xm_console')).toBeUndefined();
    expect(
      sessionToken({ headers: { authorization: 'Bearer ' }, cookies: {} }, 'xm_console'),
    ).toBeUndefined();
  });
});

describe('Responses', () => {
  test('JSON by default, uncached, under a strict CSP that forbids framing', () => {
    expect(toResult({ status: 200, body: { ok: true } })).toEqual({
      statusCode: 200,
      headers: {
        'Cache-Control': 'no-store',
        'Content-Security-Policy': API_CONTENT_SECURITY_POLICY,
        'X-Frame-Options': 'DENY',
        'Content-Type': 'application/json; charset=utf-8',
      },
      body: '{"ok":true}',
    });
    expect(toResult({ status: 204 }).headers).not.toHaveProperty('Content-Type');
    expect(toResult({ status: 204 })).not.toHaveProperty('body');
  });

  test("a raw body is sent as is, and a route's headers replace the defaults whatever their case", () => {
    const result = toResult({
      status: 200,
      raw: { contentType: 'text/html; charset=utf-8', body: '<!doctype html><p>Hi' },
      headers: { 'content-security-policy': "default-src 'none'", 'X-FRAME-OPTIONS': 'SAMEORIGIN' },
    });
    expect(result.body).toBe('<!doctype html><p>Hi');
    expect(result.headers).toEqual({
      'Cache-Control': 'no-store',
      'Content-Type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'",
      'X-FRAME-OPTIONS': 'SAMEORIGIN',
    });
  });

  test('mergeHeaders lays overrides over the base, one header per name in any case', () => {
    expect(
      mergeHeaders(
        { 'Content-Security-Policy': 'a', 'X-Frame-Options': 'DENY' },
        { 'content-security-policy': 'b' },
      ),
    ).toEqual({ 'X-Frame-Options': 'DENY', 'content-security-policy': 'b' });
    expect(mergeHeaders({ A: '1' }, undefined)).toEqual({ A: '1' });
  });
});
