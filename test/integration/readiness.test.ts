import { apiClient, signedIn, type ApiClient } from '../support/api-client';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';
import { smtpClient } from '../support/smtp-client';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

/**
 * Outage readiness against the real stand-ins: the dashboard's counts as users get passwords,
 * backup addresses and sign in; a domain admin's scope; the CSV import; the notices in the SES
 * stand-in; the portal's outage banner; and a message's delivery state through a pause.
 */
const D = 'ready.test';
const FLOW = 'flow-ready.test';
const PASSWORD = 'a long portal password';

let stack: TestStack;
let partner: ApiClient;
let sink: SmtpSink;

interface SentMail {
  subject: string;
  destination: { to: string[] };
  body?: { text?: string };
}
const sesStore = async () =>
  ((await (await fetch(`${stack.sesUrl}/store`)).json()).emails ?? []) as SentMail[];
const mailTo = async (address: string) =>
  (await sesStore()).filter((m) => m.destination.to.map((t) => t.toLowerCase()).includes(address));

async function addUsers(domain: string, locals: string[], type = 'user') {
  for (const address of locals)
    expect((await partner.post(`/api/console/domains/${domain}/users`, { address, type })).status).toBe(201);
}

/** A user who has replaced the admin's temporary password, signed in to the portal. */
async function portalUser(domain: string, local: string): Promise<ApiClient> {
  await partner.post(`/api/console/domains/${domain}/passwords`, {
    addresses: [`${local}@${domain}`],
    password: 'temporary password',
  });
  const temporary = await signedIn(stack.webUrl, 'portal', `${local}@${domain}`, 'temporary password');
  await temporary.put('/api/portal/password', {
    currentPassword: 'temporary password',
    newPassword: PASSWORD,
  });
  return signedIn(stack.webUrl, 'portal', `${local}@${domain}`, PASSWORD);
}

const readiness = async (client: ApiClient = partner, domain = D) =>
  (await client.get(`/api/console/domains/${domain}/readiness`)).body;
const listed = async (filter: string, domain = D) =>
  (await partner.get(`/api/console/domains/${domain}/readiness/users?filter=${filter}`)).body.items.map(
    (u: { address: string }) => u.address,
  );

beforeAll(async () => {
  stack = await startTestStack();
  partner = await signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
  for (const name of [D, 'elsewhere.test']) {
    await partner.post('/api/console/domains', { name });
    await partner.put(`/api/console/domains/${name}/products`, { xtramail: true });
  }
  await addUsers(D, ['ann', 'bob', 'cy']);
  await addUsers(D, ['list'], 'mailing_list');
  await addUsers('elsewhere.test', ['zoe']);
  sink = await startSmtpSink();
});
afterAll(async () => {
  await stack?.stop();
  await sink?.stop();
});

test('the counts follow passwords, backup addresses and sign-ins; the lists name who is missing', async () => {
  const start = await readiness();
  expect(start.counts).toEqual({
    users: 3,
    withPassword: 0,
    withBackupAddress: 0,
    withMfa: 0,
    signedInLast90Days: 0,
    neverSignedIn: 3,
    ready: 0,
  });
  expect(start.checklist).toMatchObject({
    xtramail: { enabled: true },
    mailFlow: { destination: null, inbound: 'deliver', status: 'good' },
    readyShare: 0,
  });

  await partner.post(`/api/console/domains/${D}/passwords`, {
    addresses: [`ann@${D}`],
    password: 'temporary password',
  });
  expect((await readiness()).counts).toMatchObject({ withPassword: 1, ready: 1, neverSignedIn: 3 });

  const put = await partner.put(`/api/console/domains/${D}/users/bob@${D}/backup-address`, {
    backupAddress: 'bob@home.example',
  });
  expect(put.status).toBe(200);
  expect(put.body).toMatchObject({ address: `bob@${D}`, backupAddressSet: true });
  expect((await readiness()).counts).toMatchObject({ withPassword: 1, withBackupAddress: 1, ready: 2 });

  const temporary = await signedIn(stack.webUrl, 'portal', `ann@${D}`, 'temporary password');
  await temporary.put('/api/portal/password', {
    currentPassword: 'temporary password',
    newPassword: PASSWORD,
  });
  await signedIn(stack.webUrl, 'portal', `ann@${D}`, PASSWORD);
  const after = await readiness();
  expect(after.counts).toMatchObject({ signedInLast90Days: 1, neverSignedIn: 2 });
  expect(after.checklist.readyShare).toBeCloseTo(2 / 3);

  expect(await listed('no-backup')).toEqual([`ann@${D}`, `cy@${D}`]);
  expect(await listed('no-password')).toEqual([`bob@${D}`, `cy@${D}`]);
  expect(await listed('never-signed-in')).toEqual([`bob@${D}`, `cy@${D}`]);
  expect(await listed('inactive-90d')).toEqual([`bob@${D}`, `cy@${D}`]);
  expect(await listed('no-mfa')).toEqual([`ann@${D}`, `bob@${D}`, `cy@${D}`]);

  // The users list shows which users have one, never the address itself.
  const users = (await partner.get(`/api/console/domains/${D}/users`)).body.items;
  expect(users.find((u: { address: string }) => u.address === `bob@${D}`)).toMatchObject({
    backupAddressSet: true,
  });
  expect(JSON.stringify(users)).not.toContain('home.example');

  const across = (await partner.get('/api/console/readiness')).body;
  expect(across.domains.map((d: { domain: string }) => d.domain)).toEqual(['elsewhere.test', D]);
  expect(across.totals).toMatchObject({ users: 4, withPassword: 1, withBackupAddress: 1 });
});

test('a backup address in the same or another managed domain is refused', async () => {
  for (const backupAddress of [`bob.private@${D}`, 'bob@elsewhere.test', 'not an address']) {
    const result = await partner.put(`/api/console/domains/${D}/users/bob@${D}/backup-address`, {
      backupAddress,
    });
    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe('invalid_backup_address');
  }
  const list = await partner.put(`/api/console/domains/${D}/users/list@${D}/backup-address`, {
    backupAddress: 'x@home.example',
  });
  expect(list.status).toBe(409);
});

test('a domain admin sees only their domains', async () => {
  await partner.post('/api/console/admins', {
    email: 'ready-da@example.com',
    role: 'domain',
    domains: [D],
    password: 'domain admin password',
  });
  const da = await signedIn(stack.webUrl, 'console', 'ready-da@example.com', 'domain admin password');
  const across = (await da.get('/api/console/readiness')).body;
  expect(across.domains.map((d: { domain: string }) => d.domain)).toEqual([D]);
  expect(across.totals.users).toBe(3);
  expect((await da.get('/api/console/domains/elsewhere.test/readiness')).status).toBe(404);
  expect((await da.get('/api/console/domains/elsewhere.test/readiness/users?filter=no-backup')).status).toBe(
    404,
  );
  const put = await da.put('/api/console/domains/elsewhere.test/users/zoe@elsewhere.test/backup-address', {
    backupAddress: 'zoe@home.example',
  });
  expect(put.status).toBe(404);
  const imported = await da.post('/api/console/domains/elsewhere.test/backup-addresses', {
    csv: 'zoe,zoe@home.example',
  });
  expect(imported.status).toBe(404);
});

test('CSV import answers per row, and the change is audited', async () => {
  const csv = [
    'address,backupAddress',
    'cy,cy@home.example',
    'nobody,nobody@home.example',
    'list,list@home.example',
    `ann@${D},ann@elsewhere.test`,
    'zoe@elsewhere.test,zoe@home.example',
  ].join('\n');
  const result = await partner.post(`/api/console/domains/${D}/backup-addresses`, { csv });
  expect(result.status).toBe(200);
  expect(result.body.rows.map((r: { line: number; status: string }) => [r.line, r.status])).toEqual([
    [2, 'updated'],
    [3, 'unknown-user'],
    [4, 'not-eligible'],
    [5, 'invalid'],
    [6, 'unknown-user'],
  ]);
  expect((await readiness()).counts.withBackupAddress).toBe(2);
  const broken = await partner.post(`/api/console/domains/${D}/backup-addresses`, { csv: 'a,"b\n' });
  expect(broken.status).toBe(400);

  const audit = (await partner.get('/api/console/audit')).body.items;
  expect(audit).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ action: 'user.backup-address-import', target: D }),
      expect.objectContaining({ action: 'user.backup-address', target: `bob@${D}` }),
    ]),
  );
});

test('a large CSV import answers at once; the deliver function tells every address, once', async () => {
  const BULK = 'bulk.test';
  await partner.post('/api/console/domains', { name: BULK });
  await partner.put(`/api/console/domains/${BULK}/products`, { xtramail: true });
  const locals = Array.from({ length: 14 }, (_, i) => `bulk${i}`);
  await addUsers(BULK, locals);
  const csv = ['address,backupAddress', ...locals.map((l) => `${l},${l}@home.example`)].join('\n');
  const imported = await partner.post(`/api/console/domains/${BULK}/backup-addresses`, { csv });
  expect(imported.status).toBe(200);
  expect(imported.body.counts.updated).toBe(14);
  expect(imported.body.noticesQueued).toBe(14);

  await stack.deliveryIdle();
  for (const local of locals) expect(await mailTo(`${local}@home.example`)).toHaveLength(1);
});

test('a change is mailed to the old and the new address, each seeing the other masked', async () => {
  const ann = await portalUser(D, 'ann');
  const first = await ann.put('/api/portal/profile/backup-address', {
    backupAddress: 'ann.first@home.example',
  });
  expect(first.status).toBe(200);
  expect(first.body.backupAddress).toBe('ann.first@home.example');
  const second = await ann.put('/api/portal/profile/backup-address', {
    backupAddress: 'ann.second@away.example',
  });
  expect(second.status).toBe(200);
  expect((await ann.get('/api/portal/profile')).body).toMatchObject({
    address: `ann@${D}`,
    backupAddress: 'ann.second@away.example',
  });

  const toOld = await mailTo('ann.first@home.example');
  const toNew = await mailTo('ann.second@away.example');
  expect(toOld.map((m) => m.subject)).toEqual([
    `This is now the XtraMail backup address for ann@${D}`,
    `Your XtraMail backup address for ann@${D} was changed`,
  ]);
  expect(toNew).toHaveLength(1);
  const oldText = toOld[1].body?.text ?? '';
  const newText = toNew[0].body?.text ?? '';
  expect(oldText).toContain('an***@a***.example');
  expect(oldText).not.toContain('ann.second@away.example');
  expect(newText).toContain('an***@h***.example');
  expect(newText).not.toContain('ann.first@home.example');

  // The admin's change to bob earlier reached bob's new address.
  expect((await mailTo('bob@home.example')).length).toBe(1);
});

test('the portal shows the outage banner while Mail Flow is paused, with the notice', async () => {
  const cy = await portalUser(D, 'cy');
  expect((await cy.get('/api/portal/status')).body).toEqual({ outage: false });
  await partner.put(`/api/console/domains/${D}/mail-flow`, {
    inbound: 'paused',
    notice: 'Microsoft 365 is down; work here until we say so',
  });
  expect((await cy.get('/api/portal/status')).body).toEqual({
    outage: true,
    reason: 'paused',
    notice: 'Microsoft 365 is down; work here until we say so',
  });
  expect((await apiClient(stack.webUrl).get('/api/portal/status')).status).toBe(401);
  await partner.put(`/api/console/domains/${D}/mail-flow`, { inbound: 'deliver' });
  expect((await cy.get('/api/portal/status')).body).toEqual({ outage: false });
});

test("a message's delivery state reads held while paused and delivered after release", async () => {
  await partner.post('/api/console/domains', { name: FLOW });
  await partner.put(`/api/console/domains/${FLOW}/products`, { xtramail: true });
  await addUsers(FLOW, ['ann']);
  const destination = { host: '127.0.0.1', port: sink.port, tls: 'opportunistic' };
  await partner.put(`/api/console/domains/${FLOW}/mail-flow`, { inbound: 'paused', destination });
  const ann = await portalUser(FLOW, 'ann');

  const smtp = smtpClient(stack.smtpPort);
  await smtp.send({
    from: 'sender@outside.test',
    to: `ann@${FLOW}`,
    subject: 'During the outage',
    text: 'Hi\r\n',
  });
  smtp.close();
  await stack.ingestIdle();
  await stack.deliveryIdle();

  const inbox = (await ann.get('/api/portal/messages')).body.items;
  expect(inbox).toHaveLength(1);
  expect(inbox[0].delivery).toMatchObject({ state: 'held' });
  expect((await ann.get(`/api/portal/messages/${inbox[0].id}`)).body.message.delivery).toMatchObject({
    state: 'held',
  });
  expect(sink.received).toHaveLength(0);

  await partner.put(`/api/console/domains/${FLOW}/mail-flow`, { inbound: 'deliver', destination });
  await partner.post(`/api/console/domains/${FLOW}/held/release`, { all: true });
  await stack.deliveryIdle();
  expect(sink.received.map((mail) => mail.to)).toEqual([[`ann@${FLOW}`]]);

  const after = (await ann.get('/api/portal/messages')).body.items;
  expect(after[0].delivery).toMatchObject({ state: 'delivered' });
  expect((await ann.get(`/api/portal/messages/${after[0].id}`)).body.message.delivery).toMatchObject({
    state: 'delivered',
  });
  // Sent items never went to the primary server, so they have no delivery state.
  await ann.post('/api/portal/messages', { to: ['someone@outside.test'], subject: 'Out', text: 'x' });
  const sent = (await ann.get('/api/portal/messages?folder=sent')).body.items;
  expect(sent[0].delivery).toBeNull();
}, 60_000);

test("a user's own backup address changes are limited to 5 an hour (each one sends mail)", async () => {
  await addUsers(D, ['dee']);
  const dee = await portalUser(D, 'dee');
  for (let i = 1; i <= 5; i++)
    expect(
      (await dee.put('/api/portal/profile/backup-address', { backupAddress: `dee${i}@home.example` })).status,
    ).toBe(200);
  const refused = await dee.put('/api/portal/profile/backup-address', { backupAddress: 'dee6@home.example' });
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  expect((await dee.get('/api/portal/profile')).body.backupAddress).toBe('dee5@home.example');
  expect(await mailTo('dee6@home.example')).toEqual([]);
});
