import type { Clock } from '../../lambdas/core/clock';
import { signedIn, type ApiClient } from '../support/api-client';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';
import { smtpClient } from '../support/smtp-client';
import { startSmtpSink, subjectOf, type SmtpSink } from '../support/smtp-sink';

/**
 * Mail Flow over days: the stack's clock (what XTRAMAIL_LOCAL_CLOCK_OFFSET_DAYS sets) is moved
 * while it runs, so mail arrives on different "days" of a pause and the 14 days can pass.
 */
let stack: TestStack;
let sink: SmtpSink;
let runtime: { clock: Clock };
let offsetClock: (days: number) => Clock;
const PASSWORD = 'my own password 42';

beforeAll(async () => {
  stack = await startTestStack();
  sink = await startSmtpSink();
  ({ runtime } = await import('../../lambdas/handlers/runtime'));
  ({ fixedOffsetClock: offsetClock } = await import('../../lambdas/core/clock'));
});
afterAll(async () => {
  if (runtime) runtime.clock = offsetClock(0);
  await stack?.stop();
  await sink?.stop();
});

/** Moves "now" for every handler (and the SMTP listener's receipt time) to `days` from today. */
const setDay = (days: number) => {
  runtime.clock = offsetClock(days);
};

// Sessions are dated by the same clock, so each "day" signs in afresh.
const partner = () => signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);

async function pausedDomain(name: string) {
  const admin = await partner();
  expect((await admin.post('/api/console/domains', { name })).status).toBe(201);
  await admin.put(`/api/console/domains/${name}/products`, { xtramail: true });
  const put = await admin.put(`/api/console/domains/${name}/mail-flow`, {
    inbound: 'paused',
    destination: { host: '127.0.0.1', port: sink.port, tls: 'opportunistic' },
  });
  expect(put.status).toBe(200);
  return admin;
}

async function portalUser(admin: ApiClient, address: string) {
  const [local, domain] = address.split('@');
  await admin.post(`/api/console/domains/${domain}/users`, { address: local, type: 'user' });
  const set = await admin.post(`/api/console/domains/${domain}/passwords`, {
    addresses: [address],
    generate: true,
  });
  const temporary = set.body.generated[0].password as string;
  const first = await signedIn(stack.webUrl, 'portal', address, temporary);
  await first.put('/api/portal/password', { currentPassword: temporary, newPassword: PASSWORD });
}

async function send(to: string, subjects: string[]): Promise<string[]> {
  const smtp = smtpClient(stack.smtpPort);
  const ids: string[] = [];
  for (const subject of subjects) {
    ids.push(await smtp.send({ from: 'sender@outside.test', to, subject, text: `${subject}\r\n` }));
  }
  smtp.close();
  await stack.ingestIdle();
  return ids;
}

test('paused for 5 days: 30 messages held while the portal keeps filling; resume delivers all 30 in receipt order, once', async () => {
  const D = 'fivedays.test';
  const ann = `ann@${D}`;
  setDay(0);
  await portalUser(await pausedDomain(D), ann);

  const subjects: string[] = [];
  for (let day = 0; day < 5; day++) {
    setDay(day);
    const today = Array.from({ length: 6 }, (_, i) => `Day ${day} mail ${i}`);
    await send(ann, today);
    subjects.push(...today);
    await stack.deliveryIdle();
    expect(sink.received).toHaveLength(0);

    // The snapshot keeps filling: the user reads every message in the portal the day it came.
    const portal = await signedIn(stack.webUrl, 'portal', ann, PASSWORD);
    const inbox = await portal.get('/api/portal/messages?folder=inbox&limit=200');
    expect(inbox.status).toBe(200);
    expect(inbox.body.items).toHaveLength(subjects.length);
    const flow = await (await partner()).get(`/api/console/domains/${D}/mail-flow`);
    expect(flow.body.held.count).toBe(subjects.length);
  }

  setDay(5);
  const admin = await partner();
  const before = await admin.get(`/api/console/domains/${D}/mail-flow`);
  // The oldest held mail is five days old and still inside its 14 days.
  const ageDays = (Date.now() + 5 * 86_400_000 - Date.parse(before.body.held.oldest)) / 86_400_000;
  expect(ageDays).toBeGreaterThan(4.9);
  expect(ageDays).toBeLessThan(5.1);
  // The held list, oldest first, names each message by its subject (from the log).
  const list = await admin.get(`/api/console/domains/${D}/held?limit=200`);
  expect(list.body.items.map((item: { subject: string }) => item.subject)).toEqual(subjects);
  expect(list.body.items.every((item: { releasing: boolean }) => item.releasing === false)).toBe(true);

  const resumed = await admin.put(`/api/console/domains/${D}/mail-flow`, {
    inbound: 'deliver',
    destination: { host: '127.0.0.1', port: sink.port, tls: 'opportunistic' },
  });
  expect(resumed.body.released).toBe(30);
  // A double click on Release while the walk runs: nothing is released twice.
  const again = await admin.post(`/api/console/domains/${D}/held/release`, { all: true });
  expect(again.body.released).toBe(0);
  await stack.deliveryIdle();

  expect(sink.received.map((mail) => subjectOf(mail.raw))).toEqual(subjects);
  for (const mail of sink.received) expect(mail.to).toEqual([ann]);
  const after = await admin.get(`/api/console/domains/${D}/mail-flow`);
  expect(after.body.held).toMatchObject({ count: 0, releasing: 0, oldest: null });
  const logs = await admin.get(`/api/console/domains/${D}/logs?limit=200`);
  expect(logs.body.items).toHaveLength(30);
  for (const entry of logs.body.items) expect(entry.delivery).toBe('delivered');

  const third = await admin.post(`/api/console/domains/${D}/held/release`, { all: true });
  expect(third.body.released).toBe(0);
  await stack.deliveryIdle();
  expect(sink.received).toHaveLength(30);
}, 60_000);

test('held for more than 14 days: expired, logged, the admins told; nothing is sent', async () => {
  const D = 'expires.test';
  setDay(0);
  const admin = await pausedDomain(D);
  const [id] = await send(`eve@${D}`, ['Waits too long']);
  const held = await admin.get(`/api/console/domains/${D}/held`);
  expect(held.body.items).toHaveLength(1);
  const receivedAt = new Date(held.body.items[0].receivedAt as string);
  const delivered = sink.received.length;

  // Day 13: still held, nothing expired yet.
  const { sweepHeld } = await import('../../lambdas/handlers/deliver');
  setDay(13.9);
  await sweepHeld();
  expect((await (await partner()).get(`/api/console/domains/${D}/mail-flow`)).body.held.count).toBe(1);

  setDay(14 + 1 / 24);
  await sweepHeld();
  const later = await partner();
  expect((await later.get(`/api/console/domains/${D}/mail-flow`)).body.held).toMatchObject({ count: 0 });

  // The log entry's own 14 days are over too, so the console's log no longer lists it; the item
  // itself (until DynamoDB's TTL removes it) says what happened.
  const { runtime: rt } = await import('../../lambdas/handlers/runtime');
  const { logEntryKey } = await import('../../lambdas/core/entities/log-entry');
  const entry = await rt.table.get(logEntryKey({ recipient: `eve@${D}`, receivedAt, sesMessageId: id }));
  expect(entry).toMatchObject({ delivery: 'expired', deliveryReply: expect.stringMatching(/14 days/) });

  const emails = (await (await fetch(`${stack.sesUrl}/store`)).json()).emails as Array<{
    subject: string;
    destination: { to: string[] };
    body?: { text?: string };
  }>;
  const told = emails.filter((m) => m.subject === `Held mail for ${D} expired after 14 days`);
  expect(told).toHaveLength(1);
  expect(told[0].destination.to).toContain(TEST_ADMIN.email);
  expect(JSON.stringify(told[0])).toContain(id);

  // Resuming now sends nothing: the expired message is gone from the hold.
  const resumed = await later.put(`/api/console/domains/${D}/mail-flow`, {
    inbound: 'deliver',
    destination: { host: '127.0.0.1', port: sink.port, tls: 'opportunistic' },
  });
  expect(resumed.body.released).toBe(0);
  await stack.deliveryIdle();
  expect(sink.received).toHaveLength(delivered);
});
