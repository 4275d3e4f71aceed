import type { Clock } from '../../lambdas/core/clock';
import { portalUserKey } from '../../lambdas/core/entities/portal-user';
import { runtime } from '../../lambdas/handlers/runtime';
import { LINK_REQUEST_MIN_MS } from '../../lambdas/handlers/routes/portal/link-routes';
import { apiClient, signedIn, type ApiClient } from '../support/api-client';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';

/**
 * Sign-in links, invitations and fire drills against the real stand-ins: links arrive through
 * the SES stand-in and are used through the public API, as a user's browser would.
 */
const D = 'links.test';
const OFF = 'off.test';

let stack: TestStack;
let partner: ApiClient;
let partnerToken: string;
let anonymous: ApiClient;
let realClock: Clock;

interface SentMail {
  subject: string;
  destination: { to: string[] };
  body: { text?: string };
}

const sesStore = async () => (await (await fetch(`${stack.sesUrl}/store`)).json()).emails as SentMail[];
const mailsTo = async (address: string) =>
  (await sesStore()).filter((m) => m.destination.to.some((to) => to.includes(address)));

/** The token of the newest link mailed to `backup`. */
async function latestToken(backup: string): Promise<string> {
  const mails = await mailsTo(backup);
  const text = mails.at(-1)?.body.text ?? '';
  const match = /\/portal\/link#([A-Za-z0-9_-]+)/.exec(text);
  if (!match) throw new Error(`No link in the mail to ${backup}: ${text}`);
  return match[1];
}

/** Sets a backup address the way the admin's or the user's route stores it. */
async function setBackup(address: string, backupAddress: string) {
  const item = await runtime.table.get(portalUserKey(address));
  if (!item) throw new Error(`No user ${address}`);
  await runtime.table.put({ ...item, backupAddress });
}

async function addUser(local: string, type = 'user', domain = D, backup?: string) {
  const created = await partner.post(`/api/console/domains/${domain}/users`, { address: local, type });
  expect(created.status).toBe(201);
  if (backup) await setBackup(`${local}@${domain}`, backup);
  return `${local}@${domain}`;
}

/** Moves "now" for every handler, as a clock offset does, by this many milliseconds. */
function advanceClock(ms: number) {
  runtime.clock = { now: () => new Date(realClock.now().getTime() + ms) };
}

const requestLink = (email: string) => anonymous.post('/api/portal/sign-in-link', { email });
const useLink = (token: string, extra: Record<string, unknown> = {}) =>
  anonymous.post('/api/portal/session/link', { token, ...extra });

beforeAll(async () => {
  stack = await startTestStack();
  realClock = runtime.clock;
  const session = await apiClient(stack.webUrl).post('/api/console/session', TEST_ADMIN);
  partnerToken = session.body.token;
  partner = apiClient(stack.webUrl, { bearer: partnerToken });
  anonymous = apiClient(stack.webUrl);
  for (const name of [D, OFF])
    expect((await partner.post('/api/console/domains', { name })).status).toBe(201);
  expect((await partner.put(`/api/console/domains/${D}/products`, { xtramail: true })).status).toBe(200);
});
afterEach(() => {
  runtime.clock = realClock;
});
afterAll(async () => {
  await stack?.stop();
});

test('a sign-in link reaches the backup address, signs in once, and never works twice', async () => {
  const ann = await addUser('ann', 'user', D, 'ann@home.example');
  const asked = await requestLink('Ann@Links.test');
  expect(asked.status).toBe(202);

  const [mail] = await mailsTo('ann@home.example');
  expect(mail.subject).toBe('Your XtraMail sign-in link');
  expect(mail.body.text).toContain(`${stack.webUrl}/portal/link#`);
  const token = await latestToken('ann@home.example');
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes

  const used = await useLink(token);
  expect(used.status).toBe(200);
  expect(used.body.user.address).toBe(ann);
  expect(used.headers.get('set-cookie')).toMatch(/^xm_portal=/);
  const me = await apiClient(stack.webUrl, { bearer: used.body.token }).get('/api/portal/session');
  expect(me.status).toBe(200);
  expect(me.body.user.address).toBe(ann);

  const again = await useLink(token);
  expect(again.status).toBe(410);
  expect(again.body.error.code).toBe('link_unusable');
  expect(again.body.error.message).toMatch(/Request a new one/);
});

test('unknown, ineligible, XtraMail-off and no-backup accounts get the very same answer, and no mail', async () => {
  await addUser('list', 'mailing_list', D, 'list@home.example');
  await addUser('nobackup', 'user', D);
  await addUser('zed', 'user', OFF, 'zed@home.example');
  await addUser('eligible', 'user', D, 'eligible@home.example');
  const before = (await sesStore()).length;

  const answers: Array<{ status: number; body: unknown; ms: number }> = [];
  for (const email of [
    `nobody@${D}`,
    `list@${D}`,
    `zed@${OFF}`,
    `nobackup@${D}`,
    'not an address',
    `eligible@${D}`,
  ]) {
    const started = Date.now();
    const { status, body } = await requestLink(email);
    answers.push({ status, body, ms: Date.now() - started });
  }
  for (const answer of answers)
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 202, body: answers[0].body });
  expect(answers[0].body).toEqual({ message: expect.stringMatching(/If that account has a backup address/) });
  // Every answer waits for the same floor, whether or not a mail went out.
  for (const answer of answers) expect(answer.ms).toBeGreaterThanOrEqual(LINK_REQUEST_MIN_MS - 5);
  console.log(
    `sign-in link request times (ms), no mail ×5 then mail: ${answers.map((a) => a.ms).join(', ')}`,
  );

  const sent = (await sesStore()).slice(before);
  expect(sent.map((m) => m.destination.to)).toEqual([['eligible@home.example']]);
});

test('a newer link of the same purpose supersedes the older one', async () => {
  await addUser('carl', 'user', D, 'carl@home.example');
  await requestLink(`carl@${D}`);
  const first = await latestToken('carl@home.example');
  await requestLink(`carl@${D}`);
  const second = await latestToken('carl@home.example');
  expect(second).not.toBe(first);
  expect((await useLink(first)).status).toBe(410);
  expect((await useLink(second)).status).toBe(200);
});

test('a sign-in link expires after 15 minutes', async () => {
  await addUser('dora', 'user', D, 'dora@home.example');
  await requestLink(`dora@${D}`);
  advanceClock(14 * 60_000);
  expect((await useLink(await latestToken('dora@home.example'))).status).toBe(200);

  runtime.clock = realClock;
  await requestLink(`dora@${D}`);
  const late = await latestToken('dora@home.example');
  advanceClock(16 * 60_000);
  const refused = await useLink(late);
  expect(refused.status).toBe(410);
  expect(refused.body.error.code).toBe('link_unusable');
});

test('a password change (own, or set by an admin) invalidates links issued before it', async () => {
  const fay = await addUser('fay', 'user', D, 'fay@home.example');
  await partner.post(`/api/console/domains/${D}/passwords`, {
    addresses: [fay],
    password: 'temporary password',
  });
  await requestLink(fay);
  const beforeOwnChange = await latestToken('fay@home.example');
  const portal = await signedIn(stack.webUrl, 'portal', fay, 'temporary password');
  const changed = await portal.put('/api/portal/password', {
    currentPassword: 'temporary password',
    newPassword: 'fay’s own long password',
  });
  expect(changed.status).toBe(204);
  expect((await useLink(beforeOwnChange)).status).toBe(410);

  await requestLink(fay);
  const beforeAdminReset = await latestToken('fay@home.example');
  await partner.post(`/api/console/domains/${D}/passwords`, { addresses: [fay], generate: true });
  expect((await useLink(beforeAdminReset)).status).toBe(410);
});

test('a forgotten password: a sign-in link lets the user choose a new one without the old, for 15 minutes only', async () => {
  const hal = await addUser('hal', 'user', D, 'hal@home.example');
  await partner.post(`/api/console/domains/${D}/passwords`, {
    addresses: [hal],
    password: 'temporary password',
  });
  const byPassword = await signedIn(stack.webUrl, 'portal', hal, 'temporary password');
  const refused = await byPassword.put('/api/portal/password', { newPassword: 'a new long password 1' });
  expect(refused.status).toBe(400);
  expect(refused.body.error.code).toBe('current_password_required');

  await requestLink(hal);
  const linked = await useLink(await latestToken('hal@home.example'));
  expect(linked.status).toBe(200);
  expect(Date.parse(linked.body.passwordResetUntil) - Date.now()).toBeGreaterThan(14 * 60_000);
  const byLink = apiClient(stack.webUrl, { bearer: linked.body.token });
  expect((await byLink.get('/api/portal/session')).body.passwordResetUntil).toBe(
    linked.body.passwordResetUntil,
  );
  expect((await byLink.put('/api/portal/password', { newPassword: 'a new long password 1' })).status).toBe(
    204,
  );
  expect(
    (await anonymous.post('/api/portal/session', { email: hal, password: 'temporary password' })).status,
  ).toBe(401);
  expect(
    (await anonymous.post('/api/portal/session', { email: hal, password: 'a new long password 1' })).status,
  ).toBe(200);

  // Later in a link's session, the current password is needed again.
  await requestLink(hal);
  const again = await useLink(await latestToken('hal@home.example'));
  advanceClock(16 * 60_000);
  const late = apiClient(stack.webUrl, { bearer: again.body.token });
  expect((await late.get('/api/portal/session')).body.passwordResetUntil).toBeUndefined();
  const tooLate = await late.put('/api/portal/password', { newPassword: 'a new long password 2' });
  expect(tooLate.body.error.code).toBe('current_password_required');
  runtime.clock = realClock;
});

test('link requests are limited per account (3 per 15 minutes), whether or not it exists', async () => {
  for (const email of [`gus@${D}`, `ghost@${D}`]) {
    if (email.startsWith('gus')) await addUser('gus', 'user', D, 'gus@home.example');
    for (let i = 0; i < 3; i++) expect((await requestLink(email)).status).toBe(202);
    const limited = await requestLink(email);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('too_many_link_requests');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  }
  expect(await mailsTo('gus@home.example')).toHaveLength(3);
});

test('an invitation sets the user’s own password; the old temporary one stops working', async () => {
  const [ivy, ike] = [
    await addUser('ivy', 'user', D, 'ivy@home.example'),
    await addUser('ike', 'user', D, 'ike@home.example'),
  ];
  const noBackup = await addUser('ina', 'user', D);
  const list = await addUser('team', 'mailing_list', D, 'team@home.example');
  await partner.post(`/api/console/domains/${D}/passwords`, {
    addresses: [ivy, ike],
    password: 'temporary password',
  });

  const invited = await partner.post(`/api/console/domains/${D}/invitations`, {
    addresses: [ivy, ike, noBackup, list, `stranger@${D}`],
  });
  expect(invited.status).toBe(200);
  expect(invited.body.sent).toBe(2);
  const byAddress = Object.fromEntries(
    invited.body.results.map((r: { address: string; sent: boolean; reason?: string }) => [r.address, r]),
  );
  expect(byAddress[ivy]).toEqual({ address: ivy, status: 'sent', sent: true });
  expect(byAddress[noBackup].reason).toMatch(/No backup address/);
  expect(byAddress[list].reason).toMatch(/User or Discovered User/);
  expect(byAddress[`stranger@${D}`].reason).toMatch(/Not a user/);
  expect(await mailsTo('team@home.example')).toEqual([]);

  const [mail] = await mailsTo('ivy@home.example');
  expect(mail.subject).toMatch(/invited/);
  const token = await latestToken('ivy@home.example');
  const withoutPassword = await useLink(token);
  expect(withoutPassword.status).toBe(409);
  expect(withoutPassword.body.error.code).toBe('choose_password');
  const tooShort = await useLink(token, { newPassword: 'short' });
  expect(tooShort.status).toBe(400);
  expect(tooShort.body.error.code).toBe('weak_password');

  const accepted = await useLink(token, { newPassword: 'ivy chose this herself' });
  expect(accepted.status).toBe(200);
  expect(accepted.body.user.address).toBe(ivy);
  expect(accepted.body.mustChangePassword).toBe(false);
  expect(
    (await apiClient(stack.webUrl, { bearer: accepted.body.token }).get('/api/portal/messages')).status,
  ).toBe(200);

  const old = await anonymous.post('/api/portal/session', { email: ivy, password: 'temporary password' });
  expect(old.status).toBe(401);
  const fresh = await anonymous.post('/api/portal/session', {
    email: ivy,
    password: 'ivy chose this herself',
  });
  expect(fresh.status).toBe(200);
  expect(fresh.body.mustChangePassword).toBe(false);
  expect((await useLink(token, { newPassword: 'another long password' })).status).toBe(410);

  const audit = await partner.get('/api/console/audit');
  expect(audit.body.items).toContainEqual(
    expect.objectContaining({
      action: 'user.invite',
      target: D,
      details: expect.objectContaining({ sent: 2, refused: 3 }),
    }),
  );
});

test('a fire drill records who completed it, and the CSV report shows it safely', async () => {
  const dan = await addUser('dan', 'user', D, 'dan@home.example');
  const dee = await addUser('dee', 'user', D);
  // A local part may begin with "=": in a spreadsheet that would be a formula.
  const formula = await addUser('=hyperlink', 'user', D);

  const started = await partner.post(`/api/console/domains/${D}/drills`, { addresses: [dan, dee, formula] });
  expect(started.status).toBe(201);
  const { drillId, startedAt } = started.body.drill;
  expect(started.body.drill).toMatchObject({ participants: 3, sent: 1, completed: 0 });

  const listed = await partner.get(`/api/console/domains/${D}/drills`);
  expect(listed.body.items[0]).toMatchObject({ drillId, startedAt, completed: 0 });

  const [mail] = await mailsTo('dan@home.example');
  expect(mail.subject).toMatch(/fire drill/i);
  const used = await useLink(await latestToken('dan@home.example'));
  expect(used.status).toBe(200);
  expect(used.body.user.address).toBe(dan);

  const shown = await partner.get(`/api/console/domains/${D}/drills/${drillId}`);
  expect(shown.status).toBe(200);
  expect(shown.body.drill.completed).toBe(1);
  const participants = Object.fromEntries(
    shown.body.participants.map((p: { address: string }) => [p.address, p]),
  );
  expect(participants[dan]).toMatchObject({ sent: true, completedAt: expect.any(String) });
  expect(Date.parse(participants[dan].completedAt)).toBeGreaterThanOrEqual(Date.parse(startedAt));
  expect(participants[dee]).toMatchObject({ sent: false, reason: expect.stringMatching(/backup/) });
  expect(participants[dee].completedAt).toBeUndefined();
  expect((await partner.get(`/api/console/domains/${D}/drills`)).body.items[0].completed).toBe(1);

  const report = await fetch(`${stack.webUrl}/api/console/domains/${D}/drills/${drillId}/report.csv`, {
    headers: { authorization: `Bearer ${partnerToken}` },
  });
  expect(report.status).toBe(200);
  expect(report.headers.get('content-type')).toMatch(/^text\/csv/);
  expect(report.headers.get('content-disposition')).toMatch(/^attachment; filename="drill-/);
  const lines = (await report.text()).trimEnd().split('\r\n');
  expect(lines[0]).toBe('drill,started_at,address,link_sent,not_sent_reason,completed_at');
  expect(lines.find((l) => l.includes(dan))).toBe(
    `${drillId},${startedAt},${dan},yes,,${participants[dan].completedAt}`,
  );
  expect(lines.find((l) => l.includes(dee))).toMatch(new RegExp(`^${drillId},[^,]+,${dee},no,`));
  expect(lines.find((l) => l.includes('hyperlink'))).toContain(`,'=hyperlink@${D},no,`);

  expect((await partner.get(`/api/console/domains/${D}/drills/nope`)).status).toBe(404);
});

test('link requests are limited per source address (30 per 15 minutes)', async () => {
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => requestLink(`flood-${i}@${D}`)));
  const limited = answers.filter((a) => a.status === 429);
  // Earlier tests in this file already spent part of this source's allowance.
  expect(limited.length).toBeGreaterThanOrEqual(10);
  for (const answer of limited) expect(answer.body.error.code).toBe('too_many_link_requests');
  expect(answers.filter((a) => a.status === 202).length).toBeLessThanOrEqual(30);
});
