import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
  fetch(`${stack.webUrl}${path}`, {
    ...init,
    headers: { ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });

// Response bodies are checked field by field below; `any` keeps those checks short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const readJson = (response: Response): Promise<any> => response.json();

const signIn = (email: string, password: string, headers: Record<string, string> = {}) =>
  api('/api/console/session', { method: 'POST', json: { email, password }, headers });

test('the bootstrap admin signs in: a JWT in the body and in an httpOnly, Secure, SameSite=Strict cookie', async () => {
  const response = await signIn(TEST_ADMIN.email.toUpperCase(), TEST_ADMIN.password);
  expect(response.status).toBe(200);
  const body = await readJson(response);
  expect(body.admin).toEqual({ email: TEST_ADMIN.email, role: 'partner', domains: [] });
  expect(body.token.split('.')).toHaveLength(3);

  const cookie = response.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/^xm_console=[\w.-]+;/);
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/Secure/);
  expect(cookie).toMatch(/SameSite=Strict/);
  expect(cookie).toMatch(/Path=\/api\/console/);
  const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)?.[1]);
  expect(maxAge).toBeGreaterThan(0);
  expect(maxAge).toBeLessThanOrEqual(12 * 3600);

  const byCookie = await api('/api/console/session', { headers: { cookie: cookie.split(';')[0] } });
  expect(byCookie.status).toBe(200);
  expect((await readJson(byCookie)).admin.email).toBe(TEST_ADMIN.email);

  const byBearer = await api('/api/console/session', { headers: { authorization: `Bearer ${body.token}` } });
  expect(byBearer.status).toBe(200);

  // A console token is not a portal session.
  const onPortal = await api('/api/portal/session', { headers: { authorization: `Bearer ${body.token}` } });
  expect(onPortal.status).toBe(401);
});

test('protected routes answer 401 JSON without a session or with a forged token', async () => {
  const none = await api('/api/console/session');
  expect(none.status).toBe(401);
  expect(await readJson(none)).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });

  const forged = await api('/api/console/session', {
    headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJwYXJ0bmVyQGV4YW1wbGUuY29tIn0.' },
  });
  expect(forged.status).toBe(401);
});

test('wrong password and unknown account get the same answer', async () => {
  const wrong = await signIn(TEST_ADMIN.email, 'not the password', { 'x-test': 'a' });
  const unknown = await signIn('nobody@example.com', 'not the password');
  expect(wrong.status).toBe(401);
  expect(unknown.status).toBe(401);
  expect(await readJson(wrong)).toEqual(await readJson(unknown));
});

test('sign-out clears the cookie', async () => {
  const response = await api('/api/console/session', { method: 'DELETE' });
  expect(response.status).toBe(204);
  expect(response.headers.get('set-cookie')).toMatch(/^xm_console=;.*Max-Age=0/);
});

test('requests are validated: bad JSON and bad fields get 400 with a message', async () => {
  const badJson = await api('/api/console/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"email":',
  });
  expect(badJson.status).toBe(400);
  expect((await readJson(badJson)).error.code).toBe('bad_request');

  const badFields = await api('/api/console/session', { method: 'POST', json: { email: 42 } });
  expect(badFields.status).toBe(400);
  const body = await readJson(badFields);
  expect(body.error.code).toBe('invalid_request');
  expect(body.error.message).toMatch(/email/);
});

test('unknown routes are 404 and wrong methods 405, both as JSON', async () => {
  const missing = await api('/api/console/nothing-here');
  expect(missing.status).toBe(404);
  expect((await readJson(missing)).error.code).toBe('not_found');

  const wrongMethod = await api('/api/console/session', { method: 'PUT', json: {} });
  expect(wrongMethod.status).toBe(405);
  expect(wrongMethod.headers.get('allow')).toContain('POST');
});

test('the OpenAPI document lists the session routes with their request schemas', async () => {
  const response = await api('/api/openapi.json');
  expect(response.status).toBe(200);
  const document = await readJson(response);
  expect(document.openapi).toBe('3.1.0');
  const post = document.paths['/api/console/session'].post;
  expect(post.requestBody.content['application/json'].schema.required).toEqual(['email', 'password']);
  expect(document.paths['/api/portal/session']).toBeDefined();
});

test('responses carry the security headers CloudFront adds in the cloud', async () => {
  const response = await api('/console');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
});

test('five wrong passwords lock the account for 15 minutes, even for the right password', async () => {
  const { ensureBootstrapAdmin } = await import('../../lambdas/core/admins/bootstrap-admin');
  const { runtime } = await import('../../lambdas/handlers/runtime');
  const email = 'second-admin@example.com';
  await ensureBootstrapAdmin(runtime, email, TEST_ADMIN.password);
  expect((await signIn(email, TEST_ADMIN.password)).status).toBe(200);
  for (let i = 0; i < 5; i++) expect((await signIn(email, `wrong ${i}`)).status).toBe(401);
  const locked = await signIn(email, TEST_ADMIN.password);
  expect(locked.status).toBe(429);
  const retryAfter = Number(locked.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(14 * 60);
  expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  expect((await readJson(locked)).error.code).toBe('too_many_attempts');
});
