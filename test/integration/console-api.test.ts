import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';
import { apiClient, signedIn, type ApiClient } from '../support/api-client';
import { smtpClient } from '../support/smtp-client';

let stack: TestStack;
let partner: ApiClient;

beforeAll(async () => {
  stack = await startTestStack();
  partner = await signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
});
afterAll(async () => {
  await stack?.stop();
});

describe('domains and the XtraMail product', () => {
  test('a partner admin adds a domain; it is listed, off, with discovery on', async () => {
    const created = await partner.post('/api/console/domains', { name: 'Example.COM' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'example.com',
      xtramail: { enabled: false },
      addressDiscovery: true,
    });
    expect((await partner.post('/api/console/domains', { name: 'example.com' })).status).toBe(409);
    expect((await partner.post('/api/console/domains', { name: 'not a domain' })).status).toBe(400);
    const list = await partner.get('/api/console/domains');
    expect(list.body.items.map((d: { name: string }) => d.name)).toContain('example.com');
  });

  test('enabling records enabledAt; mail before it is not copied, mail after it is', async () => {
    await partner.post('/api/console/domains', { name: 'forward.test' });
    await partner.post('/api/console/domains/forward.test/users', { address: 'ann', type: 'user' });
    const smtp = smtpClient(stack.smtpPort);
    const before = await smtp.send({ from: 'x@sender.test', to: 'ann@forward.test', subject: 'Before' });
    await stack.ingestIdle();
    const enabled = await partner.put('/api/console/domains/forward.test/products', { xtramail: true });
    expect(enabled.status).toBe(200);
    expect(Date.parse(enabled.body.xtramail.enabledAt)).toBeLessThanOrEqual(Date.now());
    await new Promise((resolve) => setTimeout(resolve, 5));
    const after = await smtp.send({ from: 'x@sender.test', to: 'ann@forward.test', subject: 'After' });
    smtp.close();
    await stack.ingestIdle();

    const logs = await partner.get('/api/console/domains/forward.test/logs');
    const actionOf = (id: string) =>
      logs.body.items.find((l: { sesMessageId: string }) => l.sesMessageId === id)?.action;
    expect(actionOf(before)).toBe('not-enabled');
    expect(actionOf(after)).toBe('snapshot');

    const overview = await partner.get('/api/console/domains/forward.test');
    expect(overview.body.domain.xtramail.enabled).toBe(true);
    expect(overview.body.overview).toMatchObject({
      totalUsers: 1,
      usersByType: { user: 1 },
      messagesLast24h: 2,
    });
  });

  test('disabling keeps enabledAt history and stops new copies', async () => {
    const off = await partner.put('/api/console/domains/forward.test/products', { xtramail: false });
    expect(off.body.xtramail).toMatchObject({ enabled: false, disabledAt: expect.any(String) });
    const smtp = smtpClient(stack.smtpPort);
    const id = await smtp.send({ from: 'x@sender.test', to: 'ann@forward.test', subject: 'While off' });
    smtp.close();
    await stack.ingestIdle();
    const logs = await partner.get('/api/console/domains/forward.test/logs?subject=while%20off');
    expect(logs.body.items).toEqual([expect.objectContaining({ sesMessageId: id, action: 'not-enabled' })]);
    await partner.put('/api/console/domains/forward.test/products', { xtramail: true });
  });
});

describe('users and mass portal passwords', () => {
  const domain = 'bulk.test';
  beforeAll(async () => {
    await partner.post('/api/console/domains', { name: domain });
    await partner.put(`/api/console/domains/${domain}/products`, { xtramail: true });
    for (let i = 0; i < 120; i++) {
      const type = i % 10 === 0 ? 'mailing_list' : 'user';
      const res = await partner.post(`/api/console/domains/${domain}/users`, {
        address: `u${String(i).padStart(3, '0')}`,
        type,
      });
      expect(res.status).toBe(201);
    }
  });

  test('users page 50 at a time with a total, filter by type and search by address', async () => {
    const first = await partner.get(`/api/console/domains/${domain}/users`);
    expect(first.body.items).toHaveLength(50);
    expect(first.body.total).toBe(120);
    expect(first.body.items[0]).toMatchObject({
      address: `u000@${domain}`,
      type: 'mailing_list',
      xtramail: false,
    });
    expect(first.body.items[1]).toMatchObject({
      address: `u001@${domain}`,
      type: 'user',
      xtramail: true,
      passwordSet: false,
    });
    const second = await partner.get(`/api/console/domains/${domain}/users?cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].address).toBe(`u050@${domain}`);
    const lists = await partner.get(`/api/console/domains/${domain}/users?type=mailing_list`);
    expect(lists.body.total).toBe(12);
    const search = await partner.get(`/api/console/domains/${domain}/users?q=u11`);
    expect(search.body.items.map((u: { address: string }) => u.address)).toHaveLength(10);
  });

  test('"select all" across pages with generated passwords: unique, shown once, lists refused per user', async () => {
    const result = await partner.post(`/api/console/domains/${domain}/passwords`, {
      all: true,
      generate: true,
    });
    expect(result.status).toBe(200);
    expect(result.body.updated).toBe(108);
    expect(result.body.refused).toHaveLength(12);
    expect(result.body.refused[0].reason).toMatch(/User or Discovered User/);
    const passwords = result.body.generated.map((g: { password: string }) => g.password);
    expect(new Set(passwords).size).toBe(108);
    for (const password of passwords) expect(password.replace(/-/g, '').length).toBeGreaterThanOrEqual(16);

    const user = result.body.generated[0];
    const portal = await apiClient(stack.webUrl).post('/api/portal/session', {
      email: user.address,
      password: user.password,
    });
    expect(portal.status).toBe(200);
    expect(portal.body.mustChangePassword).toBe(true);
    const listed = await partner.get(`/api/console/domains/${domain}/users?q=${user.address.split('@')[0]}`);
    expect(listed.body.items[0]).toMatchObject({ passwordSet: true, mustChangePassword: true });
  });

  test('one typed password for selected addresses; too short is refused', async () => {
    const weak = await partner.post(`/api/console/domains/${domain}/passwords`, {
      addresses: [`u001@${domain}`],
      password: 'short',
    });
    expect(weak.status).toBe(400);
    const typed = await partner.post(`/api/console/domains/${domain}/passwords`, {
      addresses: [`u001@${domain}`, `u002@${domain}`, `u010@${domain}`, `ghost@${domain}`],
      password: 'Temporary-Password-2026',
    });
    expect(typed.body).toMatchObject({ updated: 2 });
    expect(typed.body.generated).toBeUndefined();
    expect(typed.body.refused.map((r: { address: string }) => r.address).sort()).toEqual([
      `ghost@${domain}`,
      `u010@${domain}`,
    ]);
    const portal = await apiClient(stack.webUrl).post('/api/portal/session', {
      email: `u002@${domain}`,
      password: 'Temporary-Password-2026',
    });
    expect(portal.status).toBe(200);
  });

  test('changing a type to a non-billable one removes XtraMail and portal access', async () => {
    const changed = await partner.patch(`/api/console/domains/${domain}/users/u002@${domain}`, {
      type: 'alias',
    });
    expect(changed.body).toMatchObject({ type: 'alias', xtramail: false });
    const portal = await apiClient(stack.webUrl).post('/api/portal/session', {
      email: `u002@${domain}`,
      password: 'Temporary-Password-2026',
    });
    expect(portal.status).toBe(401);
  });
});

describe('API tokens and the audit log', () => {
  test('a token is shown once, works as Bearer with its creator’s scope, and stops working when revoked', async () => {
    const created = await partner.post('/api/console/tokens', { name: 'automation' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^xmt_/);
    const list = await partner.get('/api/console/tokens');
    expect(list.body.items).toEqual([expect.objectContaining({ id: created.body.id, name: 'automation' })]);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);

    const automation = apiClient(stack.webUrl, { bearer: created.body.token });
    await partner.post('/api/console/domains', { name: 'token.test' });
    const enabled = await automation.put('/api/console/domains/token.test/products', { xtramail: true });
    expect(enabled.status).toBe(200);
    expect(enabled.body.xtramail.enabled).toBe(true);

    expect((await partner.delete(`/api/console/tokens/${created.body.id}`)).status).toBe(204);
    expect((await automation.get('/api/console/domains')).status).toBe(401);
    const forged = apiClient(stack.webUrl, { bearer: `${created.body.token.slice(0, -2)}xx` });
    expect((await forged.get('/api/console/domains')).status).toBe(401);
  });

  test('admin actions are audited with who, when and what', async () => {
    const audit = await partner.get('/api/console/audit?limit=200');
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    for (const action of [
      'domain.create',
      'product.enable',
      'product.disable',
      'user.create',
      'user.type',
      'user.password-reset',
      'token.create',
      'token.revoke',
      'admin.sign-in',
    ]) {
      expect(actions).toContain(action);
    }
    const byToken = audit.body.items.find(
      (e: { action: string; target: string }) => e.action === 'product.enable' && e.target === 'token.test',
    );
    expect(byToken.actor).toMatch(/API token/);
    expect(Date.parse(byToken.at)).toBeGreaterThan(Date.now() - 60_000);
  });
});

test('changing the admin password ends other sessions; the one that changed it continues', async () => {
  const { ensureBootstrapAdmin } = await import('../../lambdas/core/admins/bootstrap-admin');
  const { runtime } = await import('../../lambdas/handlers/runtime');
  await ensureBootstrapAdmin(runtime, 'changer@example.com', 'first password 1234');
  const other = await signedIn(stack.webUrl, 'console', 'changer@example.com', 'first password 1234');
  const self = await signedIn(stack.webUrl, 'console', 'changer@example.com', 'first password 1234');
  const wrong = await self.put('/api/console/password', {
    currentPassword: 'nope',
    newPassword: 'second password 1234',
  });
  expect(wrong.status).toBe(400);
  const changed = await self.put('/api/console/password', {
    currentPassword: 'first password 1234',
    newPassword: 'second password 1234',
  });
  expect(changed.status).toBe(204);
  const cookie = changed.headers.get('set-cookie')!.split(';')[0];
  expect((await other.get('/api/console/session')).status).toBe(401);
  expect((await apiClient(stack.webUrl, { cookie }).get('/api/console/session')).status).toBe(200);
});
