import { createS3Client, S3BlobStore } from '../../lambdas/adapters/aws/s3-blob-store';
import { rawMailKey } from '../../lambdas/core/ingest/receipt';
import { MAIL_BUCKET } from '../../bin/local/stack';
import { signedIn, type ApiClient } from '../support/api-client';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';
import { smtpClient } from '../support/smtp-client';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

let stack: TestStack;
let partner: ApiClient;
let blobs: S3BlobStore;
const sinks: SmtpSink[] = [];

const sesStore = async () =>
  (await (await fetch(`${stack.sesUrl}/store`)).json()).emails as Array<{
    subject: string;
    destination: { to: string[] };
  }>;

async function setUpDomain(name: string, sink: SmtpSink, inbound: 'deliver' | 'paused' = 'deliver') {
  await partner.post('/api/console/domains', { name });
  await partner.put(`/api/console/domains/${name}/products`, { xtramail: true });
  const put = await partner.put(`/api/console/domains/${name}/mail-flow`, {
    inbound,
    destination: { host: '127.0.0.1', port: sink.port, tls: 'opportunistic' },
  });
  expect(put.status).toBe(200);
}

async function sendMany(domain: string, count: number, to = [`ann@${domain}`]): Promise<string[]> {
  const smtp = smtpClient(stack.smtpPort);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(
      await smtp.send({ from: 'sender@outside.test', to, subject: `Mail ${i}`, text: `Body ${i}\r\n` }),
    );
  }
  smtp.close();
  await stack.ingestIdle();
  return ids;
}

const idOf = async (ids: string[], raw: Buffer): Promise<string | undefined> => {
  for (const id of ids) if ((await blobs.get(rawMailKey(id)))?.equals(raw)) return id;
  return undefined;
};

const until = async (check: () => Promise<boolean>, timeoutMs = 20_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

beforeAll(async () => {
  process.env.MAIL_FLOW_RETRY_BASE_SECONDS = '0.2';
  stack = await startTestStack();
  partner = await signedIn(stack.webUrl, 'console', TEST_ADMIN.email, TEST_ADMIN.password);
  blobs = new S3BlobStore(MAIL_BUCKET, createS3Client());
});
afterAll(async () => {
  await stack?.stop();
  for (const sink of sinks) await sink.stop();
  delete process.env.MAIL_FLOW_RETRY_BASE_SECONDS;
});

test('destination up: 20 messages delivered once each, byte-identical, with the envelope', async () => {
  const sink = await startSmtpSink();
  sinks.push(sink);
  await setUpDomain('flow.test', sink);
  const ids = await sendMany('flow.test', 20, ['ann@flow.test', 'bob@flow.test', 'x@elsewhere.test']);
  await stack.deliveryIdle();

  expect(sink.received).toHaveLength(20);
  const seen = new Set<string>();
  for (const mail of sink.received) {
    const id = await idOf(ids, mail.raw);
    expect(id).toBeDefined();
    seen.add(id!);
    expect(mail.from).toBe('sender@outside.test');
    expect(mail.to.sort()).toEqual(['ann@flow.test', 'bob@flow.test']);
  }
  expect(seen.size).toBe(20);

  const logs = await partner.get('/api/console/domains/flow.test/logs?limit=200');
  expect(logs.body.items).toHaveLength(40);
  for (const entry of logs.body.items) expect(entry.delivery).toBe('delivered');
  const flow = await partner.get('/api/console/domains/flow.test/mail-flow');
  expect(flow.body).toMatchObject({
    settings: { inbound: 'deliver', destination: { port: sink.port } },
    status: { state: 'good', attempts: 20, successes: 20 },
    held: { count: 0, oldest: null },
  });
});

test('destination answering 451, then accepting: deferrals, then delivered once; Bad then Good, one alert each', async () => {
  const sink = await startSmtpSink();
  sinks.push(sink);
  sink.setMode('451');
  await setUpDomain('down.test', sink);
  const ids = await sendMany('down.test', 3);
  await until(async () => sink.deferred >= 6);
  const bad = await partner.get('/api/console/domains/down.test/mail-flow');
  expect(bad.body.status.state).toBe('bad');
  expect(bad.body.status.lastReplies[0]).toMatchObject({ outcome: 'deferred', code: 451 });

  sink.setMode('accept');
  await stack.deliveryIdle();
  expect(sink.received).toHaveLength(3);
  expect(new Set(await Promise.all(sink.received.map((m) => idOf(ids, m.raw))))).toEqual(new Set(ids));
  const logs = await partner.get('/api/console/domains/down.test/logs');
  for (const entry of logs.body.items) {
    expect(entry.delivery).toBe('delivered');
    expect(entry.deliveryAttempts).toBeGreaterThanOrEqual(2);
  }

  // 25 good deliveries push the deferrals out of the window.
  await sendMany('down.test', 25);
  await stack.deliveryIdle();
  expect(sink.received).toHaveLength(28);
  const good = await partner.get('/api/console/domains/down.test/mail-flow');
  expect(good.body.status).toMatchObject({ state: 'good', attempts: 25, successes: 25 });

  const alerts = (await sesStore()).filter((m) => m.subject.startsWith('Mail Flow for down.test'));
  expect(alerts.map((m) => m.subject)).toEqual([
    'Mail Flow for down.test is Bad',
    'Mail Flow for down.test is Good',
  ]);
  expect(alerts[0].destination.to).toContain(TEST_ADMIN.email);
}, 60_000);

test('paused: 30 messages held with snapshots; resume delivers all in receipt order exactly once', async () => {
  const sink = await startSmtpSink();
  sinks.push(sink);
  await setUpDomain('pause.test', sink, 'paused');
  const ids = await sendMany('pause.test', 30);
  await stack.deliveryIdle();
  expect(sink.received).toHaveLength(0);

  const flow = await partner.get('/api/console/domains/pause.test/mail-flow');
  expect(flow.body.held.count).toBe(30);
  expect(typeof flow.body.held.oldest).toBe('string');
  const logs = await partner.get('/api/console/domains/pause.test/logs?limit=200');
  expect(logs.body.items).toHaveLength(30);
  for (const entry of logs.body.items) {
    expect(['snapshot', 'discovered']).toContain(entry.action);
    expect(entry.delivery).toBe('held');
  }

  const held: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await partner.get(
      `/api/console/domains/pause.test/held?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(page.status).toBe(200);
    held.push(...page.body.items.map((item: { sesMessageId: string }) => item.sesMessageId));
    cursor = page.body.nextCursor;
  } while (cursor);
  expect(held).toHaveLength(30);
  expect(new Set(held)).toEqual(new Set(ids));

  const resumed = await partner.put('/api/console/domains/pause.test/mail-flow', {
    inbound: 'deliver',
    destination: { host: '127.0.0.1', port: sink.port, tls: 'opportunistic' },
  });
  expect(resumed.body.released).toBe(30);
  const again = await partner.post('/api/console/domains/pause.test/held/release', { all: true });
  expect(again.body.released).toBe(0);
  await stack.deliveryIdle();

  expect(sink.received).toHaveLength(30);
  const order = await Promise.all(sink.received.map((m) => idOf(ids, m.raw)));
  expect(order).toEqual(held);
  expect((await partner.get('/api/console/domains/pause.test/mail-flow')).body.held.count).toBe(0);

  const third = await partner.post('/api/console/domains/pause.test/held/release', { all: true });
  expect(third.body.released).toBe(0);
  await stack.deliveryIdle();
  expect(sink.received).toHaveLength(30);
}, 60_000);
