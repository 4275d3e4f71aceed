import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';
import { apiClient, signedIn, type ApiClient } from '../support/api-client';

/**
 * Every API route against every kind of caller. A route outside a caller's scope must refuse
 * with the right status, and a domain outside a domain admin's grants must look missing (404).
 */
type Role =
  | 'anonymous'
  | 'portalUser'
  | 'otherDomainAdmin'
  | 'domainAdmin'
  | 'partner'
  /** A partner admin's API token: the partner's scope, but no password changes. */
  | 'apiToken'
  | 'revokedToken';
/** `public`: answers every caller alike (sign-in links). */
type Scope = 'self' | 'domain' | 'partner' | 'portal' | 'public';

interface Case {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  scope: Scope;
  body?: (role: Role) => unknown;
  /** The status a permitted caller gets (2xx, or 400 when the body is deliberately wrong). */
  allowed: number;
}

const D = 'acme.test';
/** A well-formed message id that is in nobody's mailbox. */
const MISSING = `i${Date.now().toString(36)}.${'0'.repeat(40)}`;
const cases: Case[] = [
  { method: 'GET', path: '/api/console/session', scope: 'self', allowed: 200 },
  { method: 'GET', path: '/api/console/domains', scope: 'self', allowed: 200 },
  {
    method: 'POST',
    path: '/api/console/domains',
    scope: 'partner',
    body: (r) => ({ name: `${r.toLowerCase()}.new.test` }),
    allowed: 201,
  },
  { method: 'GET', path: `/api/console/domains/${D}`, scope: 'domain', allowed: 200 },
  {
    method: 'PATCH',
    path: `/api/console/domains/${D}`,
    scope: 'domain',
    body: () => ({ addressDiscovery: true }),
    allowed: 200,
  },
  {
    method: 'PUT',
    path: `/api/console/domains/${D}/products`,
    scope: 'domain',
    body: () => ({ xtramail: true }),
    allowed: 200,
  },
  { method: 'GET', path: `/api/console/domains/${D}/users`, scope: 'domain', allowed: 200 },
  {
    method: 'POST',
    path: `/api/console/domains/${D}/users`,
    scope: 'domain',
    body: (r) => ({ address: `new-${r.toLowerCase()}`, type: 'user' }),
    allowed: 201,
  },
  {
    method: 'PATCH',
    path: `/api/console/domains/${D}/users/list@${D}`,
    scope: 'domain',
    body: () => ({ type: 'mailing_list' }),
    allowed: 200,
  },
  {
    method: 'POST',
    path: `/api/console/domains/${D}/passwords`,
    scope: 'domain',
    body: () => ({ addresses: [`list@${D}`], generate: true }),
    allowed: 200,
  },
  { method: 'GET', path: `/api/console/domains/${D}/logs`, scope: 'domain', allowed: 200 },
  { method: 'GET', path: `/api/console/domains/${D}/mail-flow`, scope: 'domain', allowed: 200 },
  {
    method: 'PUT',
    path: `/api/console/domains/${D}/mail-flow`,
    scope: 'domain',
    body: () => ({ inbound: 'paused' }),
    allowed: 200,
  },
  { method: 'GET', path: `/api/console/domains/${D}/held`, scope: 'domain', allowed: 200 },
  {
    method: 'POST',
    path: `/api/console/domains/${D}/held/release`,
    scope: 'domain',
    body: () => ({ all: true }),
    allowed: 200,
  },
  {
    method: 'PUT',
    path: `/api/console/domains/${D}/users/list@${D}/backup-address`,
    scope: 'domain',
    body: () => ({ backupAddress: null }),
    allowed: 200,
  },
  {
    method: 'POST',
    path: `/api/console/domains/${D}/backup-addresses`,
    scope: 'domain',
    body: () => ({ csv: 'nobody,nobody@home.example' }),
    allowed: 200,
  },
  { method: 'GET', path: '/api/console/readiness', scope: 'self', allowed: 200 },
  { method: 'GET', path: `/api/console/domains/${D}/readiness`, scope: 'domain', allowed: 200 },
  {
    method: 'GET',
    path: `/api/console/domains/${D}/readiness/users?filter=no-backup`,
    scope: 'domain',
    allowed: 200,
  },
  {
    method: 'POST',
    path: `/api/console/domains/${D}/invitations`,
    scope: 'domain',
    body: () => ({ addresses: [`list@${D}`] }),
    allowed: 200,
  },
  {
    method: 'POST',
    path: `/api/console/domains/${D}/drills`,
    scope: 'domain',
    body: () => ({ addresses: [`list@${D}`] }),
    allowed: 201,
  },
  { method: 'GET', path: `/api/console/domains/${D}/drills`, scope: 'domain', allowed: 200 },
  { method: 'GET', path: `/api/console/domains/${D}/drills/0123456789abcdef`, scope: 'domain', allowed: 404 },
  {
    method: 'GET',
    path: `/api/console/domains/${D}/drills/0123456789abcdef/report.csv`,
    scope: 'domain',
    allowed: 404,
  },
  {
    method: 'POST',
    path: '/api/portal/sign-in-link',
    scope: 'public',
    // One address per caller: each address may ask 3 times in 15 minutes.
    body: (r) => ({ email: `${r.toLowerCase()}@nowhere.test` }),
    allowed: 202,
  },
  {
    method: 'POST',
    path: '/api/portal/session/link',
    scope: 'public',
    body: () => ({ token: 'A'.repeat(43) }),
    allowed: 410,
  },
  { method: 'GET', path: '/api/console/audit', scope: 'partner', allowed: 200 },
  { method: 'GET', path: '/api/console/admins', scope: 'partner', allowed: 200 },
  {
    method: 'POST',
    path: '/api/console/admins',
    scope: 'partner',
    body: (r) => ({ email: `made-by-${r.toLowerCase()}@example.com`, role: 'partner' }),
    allowed: 201,
  },
  { method: 'GET', path: '/api/console/tokens', scope: 'self', allowed: 200 },
  {
    method: 'POST',
    path: '/api/console/tokens',
    scope: 'self',
    body: () => ({ name: 'matrix' }),
    allowed: 201,
  },
  { method: 'DELETE', path: '/api/console/tokens/0123456789abcdef', scope: 'self', allowed: 404 },
  {
    method: 'PUT',
    path: '/api/console/password',
    scope: 'self',
    body: () => ({ currentPassword: 'wrong', newPassword: 'long enough password' }),
    allowed: 400,
  },
  // Two-step sign-in (MFA). A wrong code is a 400; disable and new recovery codes need MFA on (409).
  { method: 'GET', path: '/api/console/account/mfa', scope: 'self', allowed: 200 },
  { method: 'POST', path: '/api/console/account/mfa/enrolment', scope: 'self', allowed: 200 },
  {
    method: 'POST',
    path: '/api/console/account/mfa',
    scope: 'self',
    body: () => ({ code: '1' }),
    allowed: 400,
  },
  {
    method: 'DELETE',
    path: '/api/console/account/mfa',
    scope: 'self',
    body: () => ({ code: '1' }),
    allowed: 409,
  },
  {
    method: 'POST',
    path: '/api/console/account/mfa/recovery-codes',
    scope: 'self',
    body: () => ({ code: '1' }),
    allowed: 409,
  },
  { method: 'GET', path: '/api/console/settings/security', scope: 'partner', allowed: 200 },
  {
    method: 'PUT',
    path: '/api/console/settings/security',
    scope: 'partner',
    body: () => ({ requireAdminMfa: false }),
    allowed: 200,
  },
  { method: 'GET', path: `/api/console/domains/${D}/security`, scope: 'domain', allowed: 200 },
  {
    method: 'PUT',
    path: `/api/console/domains/${D}/security`,
    scope: 'partner',
    body: () => ({ requirePortalMfa: false }),
    allowed: 200,
  },
  {
    method: 'POST',
    path: '/api/console/session/mfa',
    scope: 'public',
    body: () => ({ challenge: 'not-a-challenge', code: '123456' }),
    allowed: 401,
  },
  {
    method: 'POST',
    path: '/api/portal/session/mfa',
    scope: 'public',
    body: () => ({ challenge: 'not-a-challenge', code: '123456' }),
    allowed: 401,
  },
  { method: 'GET', path: '/api/portal/profile/mfa', scope: 'portal', allowed: 200 },
  { method: 'POST', path: '/api/portal/profile/mfa/enrolment', scope: 'portal', allowed: 200 },
  {
    method: 'POST',
    path: '/api/portal/profile/mfa',
    scope: 'portal',
    body: () => ({ code: '1' }),
    allowed: 400,
  },
  {
    method: 'DELETE',
    path: '/api/portal/profile/mfa',
    scope: 'portal',
    body: () => ({ code: '1' }),
    allowed: 409,
  },
  {
    method: 'POST',
    path: '/api/portal/profile/mfa/recovery-codes',
    scope: 'portal',
    body: () => ({ code: '1' }),
    allowed: 409,
  },
  // Resets for a lost phone; neither target has MFA, so nothing changes (their sessions live on).
  { method: 'DELETE', path: `/api/console/domains/${D}/users/list@${D}/mfa`, scope: 'domain', allowed: 200 },
  { method: 'DELETE', path: '/api/console/admins/da@example.com/mfa', scope: 'partner', allowed: 200 },
  { method: 'GET', path: '/api/portal/session', scope: 'portal', allowed: 200 },
  {
    method: 'PUT',
    path: '/api/portal/password',
    scope: 'portal',
    body: () => ({ currentPassword: 'wrong', newPassword: 'long enough password' }),
    allowed: 400,
  },
  { method: 'GET', path: '/api/portal/messages', scope: 'portal', allowed: 200 },
  { method: 'GET', path: `/api/portal/messages/${MISSING}`, scope: 'portal', allowed: 404 },
  {
    method: 'PATCH',
    path: `/api/portal/messages/${MISSING}`,
    scope: 'portal',
    body: () => ({ read: true }),
    allowed: 404,
  },
  { method: 'GET', path: `/api/portal/messages/${MISSING}/raw`, scope: 'portal', allowed: 404 },
  { method: 'GET', path: `/api/portal/messages/${MISSING}/body`, scope: 'portal', allowed: 404 },
  {
    method: 'POST',
    path: '/api/portal/uploads',
    scope: 'portal',
    body: () => ({ filename: 'a.txt', contentType: 'text/plain', size: 3 }),
    allowed: 201,
  },
  {
    method: 'POST',
    path: '/api/portal/messages',
    scope: 'portal',
    body: () => ({ to: ['someone@elsewhere.test'], subject: 'Matrix', text: 'hi' }),
    allowed: 201,
  },
  { method: 'GET', path: '/api/portal/export?folder=sent', scope: 'portal', allowed: 302 },
  { method: 'GET', path: '/api/portal/contacts', scope: 'portal', allowed: 200 },
  { method: 'GET', path: '/api/portal/profile', scope: 'portal', allowed: 200 },
  {
    method: 'PUT',
    path: '/api/portal/profile/backup-address',
    scope: 'portal',
    body: () => ({ backupAddress: 'pat@home.example' }),
    allowed: 200,
  },
  { method: 'GET', path: '/api/portal/status', scope: 'portal', allowed: 200 },
  { method: 'POST', path: '/api/portal/sent/resend', scope: 'portal', allowed: 200 },
];

function expected(role: Role, test: Case): number {
  if (test.scope === 'public') return test.allowed;
  if (test.scope === 'portal') return role === 'portalUser' ? test.allowed : 401;
  if (role === 'anonymous' || role === 'portalUser' || role === 'revokedToken') return 401;
  if (role === 'apiToken' && test.path === '/api/console/password') return 403;
  // An API token cannot change how its admin signs in.
  if (role === 'apiToken' && test.path.startsWith('/api/console/account/mfa') && test.method !== 'GET')
    return 403;
  if (test.scope === 'partner' && role !== 'partner' && role !== 'apiToken') return 403;
  if (test.scope === 'domain' && role === 'otherDomainAdmin') return 404;
  return test.allowed;
}

async function revokedToken(partner: ApiClient): Promise<string> {
  const created = await partner.post('/api/console/tokens', { name: 'revoked' });
  expect((await partner.delete(`/api/console/tokens/${created.body.id}`)).status).toBe(204);
  return created.body.token;
}

let stack: TestStack;
const clients = {} as Record<Role, ApiClient>;

beforeAll(async () => {
  stack = await startTestStack();
  const partner = await signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
  for (const name of [D, 'other.test']) await partner.post('/api/console/domains', { name });
  await partner.put(`/api/console/domains/${D}/products`, { xtramail: true });
  await partner.post(`/api/console/domains/${D}/users`, { address: 'list', type: 'mailing_list' });
  await partner.post(`/api/console/domains/${D}/users`, { address: 'pat', type: 'user' });
  await partner.post(`/api/console/domains/${D}/passwords`, {
    addresses: [`pat@${D}`],
    password: 'temporary password',
  });
  // The admin's password is temporary: the user replaces it before anything else works.
  const temporary = await signedIn(stack.webUrl, 'portal', `pat@${D}`, 'temporary password');
  expect((await temporary.get('/api/portal/messages')).status).toBe(403);
  const changed = await temporary.put('/api/portal/password', {
    currentPassword: 'temporary password',
    newPassword: 'portal user password',
  });
  expect(changed.status).toBe(204);
  const password = 'domain admin password';
  await partner.post('/api/console/admins', {
    email: 'da@example.com',
    role: 'domain',
    domains: [D],
    password,
  });
  await partner.post('/api/console/admins', {
    email: 'oda@example.com',
    role: 'domain',
    domains: ['other.test'],
    password,
  });
  Object.assign(clients, {
    anonymous: apiClient(stack.webUrl),
    portalUser: await signedIn(stack.webUrl, 'portal', `pat@${D}`, 'portal user password'),
    otherDomainAdmin: await signedIn(stack.webUrl, 'console', 'oda@example.com', password),
    domainAdmin: await signedIn(stack.webUrl, 'console', 'da@example.com', password),
    partner,
    apiToken: apiClient(stack.webUrl, {
      bearer: (await partner.post('/api/console/tokens', { name: 'matrix' })).body.token,
    }),
    revokedToken: apiClient(stack.webUrl, { bearer: await revokedToken(partner) }),
  });
});
afterAll(async () => {
  await stack?.stop();
});

const roles: Role[] = [
  'anonymous',
  'portalUser',
  'otherDomainAdmin',
  'domainAdmin',
  'partner',
  'apiToken',
  'revokedToken',
];
test.each(cases.flatMap((c) => roles.map((role) => [`${c.method} ${c.path}`, role, c] as const)))(
  '%s as %s',
  async (_name, role, test) => {
    const result = await clients[role].call(test.method, test.path, test.body?.(role));
    expect({ status: result.status, error: result.body?.error }).toMatchObject({
      status: expected(role, test),
    });
    if (result.status >= 400)
      expect(result.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  },
);

test('every route of the API is in the matrix', async () => {
  const document = (await apiClient(stack.webUrl).get('/api/openapi.json')).body;
  const inMatrix = new Set(
    cases.map(
      (c) =>
        `${c.method} ${c.path.replaceAll(D, '{domain}').replace(`list@{domain}`, '{address}').replace('0123456789abcdef', '{id}').replace(MISSING, '{id}').replace('?folder=sent', '').replace('?filter=no-backup', '').replace('da@example.com', '{email}')}`,
    ),
  );
  const routes = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
    ([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );
  const publicRoutes = [
    'POST /api/console/session',
    'DELETE /api/console/session',
    'POST /api/portal/session',
    'DELETE /api/portal/session',
    'GET /api/openapi.json',
  ];
  expect(routes.filter((r) => !inMatrix.has(r) && !publicRoutes.includes(r))).toEqual([]);
});

test('a domain admin lists only the domains granted to them', async () => {
  const listed = await clients.domainAdmin.get('/api/console/domains');
  expect(listed.body.items.map((d: { name: string }) => d.name)).toEqual([D]);
});
