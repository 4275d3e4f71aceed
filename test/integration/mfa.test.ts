import { TOTP } from 'otpauth';
import type { Clock } from '../../lambdas/core/clock';
import { portalUserKey } from '../../lambdas/core/entities/portal-user';
import { runtime } from '../../lambdas/handlers/runtime';
import { apiClient, signedIn, type ApiClient } from '../support/api-client';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';

/**
 * TOTP two-step sign-in against the real stand-ins, with codes from the same library an
 * authenticator app would use. Handlers read "now" from the runtime's clock, which these tests
 * move in 30-second steps so each sign-in has a fresh code.
 */
const D = 'mfa.test';
const PASSWORD = 'portal user password';

let stack: TestStack;
let partner: ApiClient;
let anonymous: ApiClient;
let realClock: Clock;
let offsetMs = 0;

/** Moves every handler's "now" (and the codes the "app" shows) one TOTP step ahead. */
function nextStep() {
  offsetMs += 30_000;
}
const now = () => runtime.clock.now();
const codeFor = (secret: string, at = now()) =>
  new TOTP({ secret, algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: at.getTime() });
/** A well-formed code that is not valid anywhere near now (one of two far-off codes is not). */
const wrongCodeFor = (secret: string) => {
  const near = [-30_000, 0, 30_000].map((d) => codeFor(secret, new Date(now().getTime() + d)));
  const far = [3600_000, 7200_000].map((d) => codeFor(secret, new Date(now().getTime() + d)));
  return far.find((code) => !near.includes(code)) ?? '';
};

/** A portal user with their own password, signed in. */
async function portalUser(local: string): Promise<{ address: string; client: ApiClient }> {
  const address = `${local}@${D}`;
  expect(
    (await partner.post(`/api/console/domains/${D}/users`, { address: local, type: 'user' })).status,
  ).toBe(201);
  const set = await partner.post(`/api/console/domains/${D}/passwords`, {
    addresses: [address],
    generate: true,
  });
  const temporary = set.body.generated[0].password;
  const first = await signedIn(stack.webUrl, 'portal', address, temporary);
  expect(
    (await first.put('/api/portal/password', { currentPassword: temporary, newPassword: PASSWORD })).status,
  ).toBe(204);
  return { address, client: await signedIn(stack.webUrl, 'portal', address, PASSWORD) };
}

/** Enrols TOTP through `path` and returns the secret, the recovery codes and the renewed client. */
async function enrol(client: ApiClient, path: string) {
  const begun = await client.post(`${path}/enrolment`);
  expect(begun.status).toBe(200);
  const confirmed = await client.post(path, { code: codeFor(begun.body.secret) });
  expect(confirmed.status).toBe(201);
  return {
    secret: begun.body.secret as string,
    recoveryCodes: confirmed.body.recoveryCodes as string[],
    client: apiClient(stack.webUrl, { bearer: confirmed.body.token }),
  };
}

const passwordStep = (audience: 'console' | 'portal', email: string, password: string) =>
  anonymous.post(`/api/${audience}/session`, { email, password });
const codeStep = (audience: 'console' | 'portal', challenge: string, code: string) =>
  anonymous.post(`/api/${audience}/session/mfa`, { challenge, code });

beforeAll(async () => {
  stack = await startTestStack();
  realClock = runtime.clock;
  runtime.clock = { now: () => new Date(realClock.now().getTime() + offsetMs) };
  partner = await signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
  anonymous = apiClient(stack.webUrl);
  expect((await partner.post('/api/console/domains', { name: D })).status).toBe(201);
  expect((await partner.put(`/api/console/domains/${D}/products`, { xtramail: true })).status).toBe(200);
});
afterAll(async () => {
  runtime.clock = realClock;
  await stack?.stop();
});

test('enrolment: a secret, an otpauth URI and a QR code; a wrong code does not confirm; the right one gives 10 recovery codes and ends other sessions', async () => {
  const { address, client } = await portalUser('ann');
  const other = await signedIn(stack.webUrl, 'portal', address, PASSWORD);
  const withMfa = async () =>
    (await partner.get(`/api/console/domains/${D}/readiness`)).body.counts.withMfa as number;
  const before = await withMfa();
  expect((await client.get('/api/portal/profile/mfa')).body).toMatchObject({ enrolled: false });

  const begun = await client.post('/api/portal/profile/mfa/enrolment');
  expect(begun.status).toBe(200);
  expect(begun.body.secret).toMatch(/^[A-Z2-7]{32}$/);
  expect(begun.body.otpauthUri).toBe(
    `otpauth://totp/XtraMail:ann%40mfa.test?issuer=XtraMail&secret=${begun.body.secret}&algorithm=SHA1&digits=6&period=30`,
  );
  expect(begun.body.qrCode).toMatch(/^data:image\/svg\+xml;base64,/);

  const wrong = await client.post('/api/portal/profile/mfa', { code: wrongCodeFor(begun.body.secret) });
  expect(wrong.status).toBe(400);
  expect(wrong.body.error.code).toBe('invalid_code');
  expect((await client.get('/api/portal/profile/mfa')).body).toMatchObject({ enrolled: false });

  const confirmed = await client.post('/api/portal/profile/mfa', { code: codeFor(begun.body.secret) });
  expect(confirmed.status).toBe(201);
  expect(confirmed.body.recoveryCodes).toHaveLength(10);
  expect(confirmed.headers.get('set-cookie')).toMatch(/^xm_portal=[\w.-]+;.*HttpOnly/);

  // Sessions opened with the password alone end; this one was renewed.
  expect((await other.get('/api/portal/messages')).status).toBe(401);
  expect((await client.get('/api/portal/messages')).status).toBe(401);
  const renewed = apiClient(stack.webUrl, { bearer: confirmed.body.token });
  const status = await renewed.get('/api/portal/profile/mfa');
  expect(status.body).toMatchObject({ enrolled: true, recoveryCodesLeft: 10 });
  expect(JSON.stringify(status.body)).not.toContain(begun.body.secret);
  // The readiness dashboard counts the user as having MFA; the users list carries no secret.
  expect(await withMfa()).toBe(before + 1);
  const users = await partner.get(`/api/console/domains/${D}/users`);
  expect(JSON.stringify(users.body)).not.toContain(begun.body.secret);
});

test('with TOTP on, the password alone gives a challenge and no session; the code gives the session; the same code twice is refused', async () => {
  const { address, client } = await portalUser('bob');
  const { secret } = await enrol(client, '/api/portal/profile/mfa');

  const first = await passwordStep('portal', address, PASSWORD);
  expect(first.status).toBe(200);
  expect(first.body).toEqual({
    mfaRequired: true,
    challenge: expect.any(String),
    expiresAt: expect.any(String),
  });
  expect(first.headers.get('set-cookie')).toBeNull();
  expect(Date.parse(first.body.expiresAt) - now().getTime()).toBeLessThanOrEqual(5 * 60_000 + 1000);
  // The challenge is no session.
  expect(
    (await apiClient(stack.webUrl, { bearer: first.body.challenge }).get('/api/portal/session')).status,
  ).toBe(401);

  nextStep();
  const code = codeFor(secret);
  const second = await codeStep('portal', first.body.challenge, code);
  expect(second.status).toBe(200);
  expect(second.body.user.address).toBe(address);
  expect(second.headers.get('set-cookie')).toMatch(/^xm_portal=[\w.-]+;/);
  expect(
    (await apiClient(stack.webUrl, { bearer: second.body.token }).get('/api/portal/messages')).status,
  ).toBe(200);

  // Replay: the same code, even with a fresh challenge, is refused.
  const again = await passwordStep('portal', address, PASSWORD);
  const replay = await codeStep('portal', again.body.challenge, code);
  expect(replay.status).toBe(400);
  expect(replay.body.error.code).toBe('invalid_code');
  expect(replay.headers.get('set-cookie')).toBeNull();
});

test('a recovery code signs in once; disable needs a code and makes sign-in one step again', async () => {
  const { address, client } = await portalUser('cat');
  const enrolled = await enrol(client, '/api/portal/profile/mfa');

  const first = await passwordStep('portal', address, PASSWORD);
  const recovered = await codeStep('portal', first.body.challenge, enrolled.recoveryCodes[0]);
  expect(recovered.status).toBe(200);
  const session = apiClient(stack.webUrl, { bearer: recovered.body.token });
  expect((await session.get('/api/portal/profile/mfa')).body.recoveryCodesLeft).toBe(9);

  const again = await passwordStep('portal', address, PASSWORD);
  const reused = await codeStep('portal', again.body.challenge, enrolled.recoveryCodes[0]);
  expect(reused.status).toBe(400);
  expect(reused.body.error.code).toBe('invalid_code');

  // New recovery codes replace the old ones.
  const regenerated = await session.post('/api/portal/profile/mfa/recovery-codes', {
    code: enrolled.recoveryCodes[1],
  });
  expect(regenerated.status).toBe(200);
  expect(regenerated.body.recoveryCodes).toHaveLength(10);
  const old = await codeStep(
    'portal',
    (await passwordStep('portal', address, PASSWORD)).body.challenge,
    enrolled.recoveryCodes[2],
  );
  expect(old.status).toBe(400);

  nextStep();
  const refused = await session.call('DELETE', '/api/portal/profile/mfa', {
    code: wrongCodeFor(enrolled.secret),
  });
  expect(refused.status).toBe(400);
  const disabled = await session.call('DELETE', '/api/portal/profile/mfa', {
    code: codeFor(enrolled.secret),
  });
  expect(disabled.status).toBe(200);
  const plain = await passwordStep('portal', address, PASSWORD);
  expect(plain.body.mfaRequired).toBeUndefined();
  expect(plain.body.token).toEqual(expect.any(String));
});

test('wrong codes are refused, and after five the account is locked out of code attempts (429), even with the right code', async () => {
  const { address, client } = await portalUser('dan');
  const { secret } = await enrol(client, '/api/portal/profile/mfa');
  const { challenge } = (await passwordStep('portal', address, PASSWORD)).body;
  for (let i = 0; i < 5; i++) {
    const wrong = await codeStep('portal', challenge, wrongCodeFor(secret));
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_code');
  }
  nextStep();
  const locked = await codeStep('portal', challenge, codeFor(secret));
  expect(locked.status).toBe(429);
  expect(locked.body.error.code).toBe('too_many_attempts');
  expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  // A right password does not reset the code count.
  const fresh = await passwordStep('portal', address, PASSWORD);
  expect((await codeStep('portal', fresh.body.challenge, codeFor(secret))).status).toBe(429);
});

test('a sign-in link for an account with TOTP also needs the second step', async () => {
  const { address, client } = await portalUser('eve');
  const { secret } = await enrol(client, '/api/portal/profile/mfa');
  const item = await runtime.table.get(portalUserKey(address));
  await runtime.table.put({ ...item!, backupAddress: 'eve@home.example' });

  expect((await anonymous.post('/api/portal/sign-in-link', { email: address })).status).toBe(202);
  const mails = (await (await fetch(`${stack.sesUrl}/store`)).json()).emails as Array<{
    destination: { to: string[] };
    body: { text?: string };
  }>;
  const text = mails.filter((m) => m.destination.to.some((to) => to.includes('eve@home.example'))).at(-1)
    ?.body.text;
  const token = /\/portal\/link#([A-Za-z0-9_-]+)/.exec(text ?? '')?.[1];
  expect(token).toBeDefined();

  const linked = await anonymous.post('/api/portal/session/link', { token });
  expect(linked.status).toBe(200);
  expect(linked.body).toEqual({
    mfaRequired: true,
    challenge: expect.any(String),
    expiresAt: expect.any(String),
  });
  expect(linked.headers.get('set-cookie')).toBeNull();
  nextStep();
  const second = await codeStep('portal', linked.body.challenge, codeFor(secret));
  expect(second.status).toBe(200);
  expect(second.body.user.address).toBe(address);
});

test('a fire drill for a user with TOTP completes only once the code is in, not when the link is opened', async () => {
  const { address, client } = await portalUser('gus');
  const { secret } = await enrol(client, '/api/portal/profile/mfa');
  const item = await runtime.table.get(portalUserKey(address));
  await runtime.table.put({ ...item!, backupAddress: 'gus@home.example' });

  const started = await partner.post(`/api/console/domains/${D}/drills`, { addresses: [address] });
  expect(started.status).toBe(201);
  const { drillId } = started.body.drill;
  const mails = (await (await fetch(`${stack.sesUrl}/store`)).json()).emails as Array<{
    destination: { to: string[] };
    body: { text?: string };
  }>;
  const text = mails.filter((m) => m.destination.to.some((to) => to.includes('gus@home.example'))).at(-1)
    ?.body.text;
  const token = /\/portal\/link#([A-Za-z0-9_-]+)/.exec(text ?? '')?.[1];

  const linked = await anonymous.post('/api/portal/session/link', { token });
  expect(linked.body.mfaRequired).toBe(true);
  const completed = async () =>
    (await partner.get(`/api/console/domains/${D}/drills/${drillId}`)).body.drill.completed;
  expect(await completed()).toBe(0);

  nextStep();
  expect((await codeStep('portal', linked.body.challenge, codeFor(secret))).status).toBe(200);
  expect(await completed()).toBe(1);
});

test('a domain requiring portal MFA: a temporary password is replaced first, then only enrolment answers until done', async () => {
  const domainAdmin = 'da@example.com';
  await partner.post('/api/console/admins', {
    email: domainAdmin,
    role: 'domain',
    domains: [D],
    password: 'domain admin password',
  });
  const da = await signedIn(stack.webUrl, 'console', domainAdmin, 'domain admin password');
  // Only partner admins set it.
  expect((await da.put(`/api/console/domains/${D}/security`, { requirePortalMfa: true })).status).toBe(403);
  const set = await partner.put(`/api/console/domains/${D}/security`, { requirePortalMfa: true });
  expect(set.status).toBe(200);
  expect((await da.get(`/api/console/domains/${D}/security`)).body).toMatchObject({ requirePortalMfa: true });

  const address = `fay@${D}`;
  await partner.post(`/api/console/domains/${D}/users`, { address: 'fay', type: 'user' });
  const temporary = (
    await partner.post(`/api/console/domains/${D}/passwords`, { addresses: [address], generate: true })
  ).body.generated[0].password;
  const user = await signedIn(stack.webUrl, 'portal', address, temporary);
  const session = await user.get('/api/portal/session');
  expect(session.body).toMatchObject({ mustChangePassword: true, mfaEnrolmentRequired: true });
  // Password first: MFA setup waits for it.
  expect((await user.post('/api/portal/profile/mfa/enrolment')).body.error.code).toBe(
    'password_change_required',
  );
  expect(
    (await user.put('/api/portal/password', { currentPassword: temporary, newPassword: PASSWORD })).status,
  ).toBe(204);

  const chosen = await signedIn(stack.webUrl, 'portal', address, PASSWORD);
  const blocked = await chosen.get('/api/portal/messages');
  expect(blocked.status).toBe(403);
  expect(blocked.body.error.code).toBe('mfa_enrolment_required');
  expect((await chosen.get('/api/portal/session')).body.mfaEnrolmentRequired).toBe(true);
  expect((await chosen.get('/api/portal/profile/mfa')).body).toMatchObject({
    enrolled: false,
    enrolmentRequired: true,
  });

  const { client } = await enrol(chosen, '/api/portal/profile/mfa');
  expect((await client.get('/api/portal/messages')).status).toBe(200);
  expect((await client.get('/api/portal/session')).body.mfaEnrolmentRequired).toBeUndefined();

  expect((await partner.put(`/api/console/domains/${D}/security`, { requirePortalMfa: false })).status).toBe(
    200,
  );
});

test('requiring MFA for every admin: an admin without it gets 403 until enrolled; with it, console sign-in needs the code', async () => {
  // The partner enrols first, so they can still change the setting back.
  const partnerMfa = await enrol(partner, '/api/console/account/mfa');
  partner = partnerMfa.client;
  const required = await partner.put('/api/console/settings/security', { requireAdminMfa: true });
  expect(required.status).toBe(200);
  expect((await partner.get('/api/console/settings/security')).body).toMatchObject({ requireAdminMfa: true });

  const password = 'second admin password';
  expect(
    (
      await partner.post('/api/console/admins', {
        email: 'gil@example.com',
        role: 'domain',
        domains: [D],
        password,
      })
    ).status,
  ).toBe(201);
  // The sign-in answer already says so, so the console can show the set-up screen at once.
  expect((await passwordStep('console', 'gil@example.com', password)).body.mfaEnrolmentRequired).toBe(true);
  const gil = await signedIn(stack.webUrl, 'console', 'gil@example.com', password);
  expect((await gil.get('/api/console/session')).body.mfaEnrolmentRequired).toBe(true);
  const blocked = await gil.get('/api/console/domains');
  expect(blocked.status).toBe(403);
  expect(blocked.body.error.code).toBe('mfa_enrolment_required');
  // An admin required to enrol cannot dodge it with an API token.
  expect((await gil.post('/api/console/tokens', { name: 'dodge' })).status).toBe(403);

  const { secret, client } = await enrol(gil, '/api/console/account/mfa');
  expect((await client.get('/api/console/domains')).status).toBe(200);

  // Signing in again needs both steps.
  const first = await passwordStep('console', 'gil@example.com', password);
  expect(first.body).toMatchObject({ mfaRequired: true });
  const auditOf = async () =>
    (await partner.get('/api/console/audit?limit=200')).body.items
      .filter((e: { actor: string }) => e.actor === 'gil@example.com')
      .map((e: { action: string }) => e.action);
  const before = await auditOf();
  expect((await codeStep('console', first.body.challenge, wrongCodeFor(secret))).status).toBe(400);
  nextStep();
  const second = await codeStep('console', first.body.challenge, codeFor(secret));
  expect(second.status).toBe(200);
  expect(second.body.admin).toEqual({ email: 'gil@example.com', role: 'domain', domains: [D] });
  // The audit log says "signed in" only once both steps passed, and records the wrong code.
  const after = await auditOf();
  expect(after.length - before.length).toBe(2);
  expect(after.slice(0, 2).sort()).toEqual(['admin.sign-in', 'admin.sign-in-failed']);
  // A console challenge is no use on the portal.
  expect((await codeStep('portal', first.body.challenge, codeFor(secret))).status).toBe(401);

  expect((await partner.put('/api/console/settings/security', { requireAdminMfa: false })).status).toBe(200);

  // A partner admin resets another admin's MFA (never their own this way).
  const reset = await partner.delete('/api/console/admins/gil@example.com/mfa');
  expect(reset.body).toEqual({ email: 'gil@example.com', wasEnrolled: true });
  expect(
    (await apiClient(stack.webUrl, { bearer: second.body.token }).get('/api/console/domains')).status,
  ).toBe(401);
  expect((await passwordStep('console', 'gil@example.com', password)).body.token).toEqual(expect.any(String));
  expect((await partner.delete(`/api/console/admins/${TEST_ADMIN.email}/mfa`)).status).toBe(400);
});

test('an admin resets the MFA of someone who lost phone and recovery codes: their sessions end, the password alone signs in', async () => {
  const { address, client } = await portalUser('hal');
  const enrolled = await enrol(client, '/api/portal/profile/mfa');
  const other = await portalUser('ida');

  // Only admins of the user's domain, and only users of that domain.
  const reset = await partner.delete(`/api/console/domains/${D}/users/${address}/mfa`);
  expect(reset.status).toBe(200);
  expect(reset.body).toEqual({ address, wasEnrolled: true });
  expect((await enrolled.client.get('/api/portal/messages')).status).toBe(401);
  const plain = await passwordStep('portal', address, PASSWORD);
  expect(plain.body.token).toEqual(expect.any(String));
  expect(plain.body.mfaRequired).toBeUndefined();
  expect((await partner.delete(`/api/console/domains/other.test/users/${address}/mfa`)).status).toBe(404);

  // Someone without MFA is left alone: their session keeps working.
  const noop = await partner.delete(`/api/console/domains/${D}/users/${other.address}/mfa`);
  expect(noop.body).toEqual({ address: other.address, wasEnrolled: false });
  expect((await other.client.get('/api/portal/messages')).status).toBe(200);

  const audit = (await partner.get('/api/console/audit?limit=200')).body.items;
  expect(audit).toContainEqual(expect.objectContaining({ action: 'user.mfa-reset', target: address }));
});
