import {
  isReleaseWalkJob,
  type DeliveryJob,
  type DeliveryQueue,
  type QueuedJob,
  type ReleaseWalkJob,
} from '../../lambdas/adapters/delivery-queue';
import { sqsDelaySeconds } from '../../lambdas/adapters/aws/sqs-delivery-queue';
import type { RelayDestination, SmtpRelay, SmtpResult } from '../../lambdas/adapters/smtp-relay';
import { adminDirectoryItem } from '../../lambdas/core/admins/admins';
import { addDays } from '../../lambdas/core/clock';
import { adminToItem, type Admin } from '../../lambdas/core/entities/admin';
import { domainToItem, type Domain } from '../../lambdas/core/entities/domain';
import { logEntryKey, logEntryToItem } from '../../lambdas/core/entities/log-entry';
import { rawMailKey } from '../../lambdas/core/ingest/receipt';
import { deliverMessage, expireHeld, type DeliverDeps } from '../../lambdas/core/mail-flow/deliver-message';
import { heldPartition, heldToItem } from '../../lambdas/core/mail-flow/held';
import { listHeld, mailFlowOverview, releaseHeld, setMailFlow } from '../../lambdas/core/mail-flow/manage';
import { LEASE_MS, leaseKey, walkRelease, type WalkDeps } from '../../lambdas/core/mail-flow/release-walk';
import { routeMessage } from '../../lambdas/core/mail-flow/route-message';
import type { MailFlowSettings } from '../../lambdas/core/mail-flow/settings';
import { ManualClock } from './support/manual-clock';
import { MemoryBlobs } from './support/memory-blobs';
import { MemoryTable } from './support/memory-table';

const D = 'flow.test';
const DESTINATION = { host: 'mx.flow.test', port: 587, tls: 'required' as const };
const DELIVER: MailFlowSettings = { inbound: 'deliver', destination: DESTINATION, goodThreshold: 0.9 };
const RAW = Buffer.from('Subject: hi\r\n\r\nbody\r\n');

class FakeQueue implements DeliveryQueue {
  readonly jobs: Array<{ job: QueuedJob; delaySeconds?: number }> = [];
  async enqueue(job: QueuedJob, delaySeconds?: number) {
    this.jobs.push({ job, delaySeconds });
  }
}

class FakeRelay implements SmtpRelay {
  readonly calls: Array<{
    raw: Buffer;
    envelope: { from: string; to: string[] };
    destination: RelayDestination;
  }> = [];
  next: SmtpResult = { ok: true, response: '250 Queued' };
  async deliver(raw: Buffer, envelope: { from: string; to: string[] }, destination: RelayDestination) {
    this.calls.push({ raw, envelope, destination });
    return this.next;
  }
}

let table: MemoryTable;
let blobs: MemoryBlobs;
let clock: ManualClock;
let queue: FakeQueue;
let relay: FakeRelay;
let sent: Array<{ raw: string; to: string[] }>;
let deps: DeliverDeps;

const domain = (mailFlow?: MailFlowSettings): Domain => ({
  name: D,
  xtramail: { enabled: true, enabledAt: '2025-01-01T00:00:00.000Z' },
  addressDiscovery: true,
  createdAt: '2025-01-01T00:00:00.000Z',
  ...(mailFlow ? { mailFlow } : {}),
});

const admin = (email: string, role: Admin['role'], domains: string[]): Admin => ({
  email,
  role,
  domains,
  passwordHash: 'x',
  tokenVersion: 0,
  createdAt: '2025-01-01T00:00:00.000Z',
});

async function received(id: string, receivedAt: Date, recipients = [`ann@${D}`, `bob@${D}`]) {
  await blobs.put(rawMailKey(id), RAW, 'message/rfc822');
  for (const recipient of recipients) {
    await table.put(
      logEntryToItem({
        sesMessageId: id,
        receivedAt,
        envelopeSender: 'x@outside.test',
        recipient,
        from: 'x@outside.test',
        subject: 'hi',
        size: RAW.length,
        verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
        action: 'snapshot',
      }),
    );
  }
  const job: DeliveryJob = {
    sesMessageId: id,
    domain: D,
    recipients,
    envelopeSender: 'x@outside.test',
    receivedAt: receivedAt.toISOString(),
    attempt: 1,
  };
  return job;
}

const logOf = (job: DeliveryJob, recipient: string) =>
  table.get(logEntryKey({ recipient, receivedAt: new Date(job.receivedAt), sesMessageId: job.sesMessageId }));

beforeEach(async () => {
  table = new MemoryTable();
  blobs = new MemoryBlobs();
  clock = new ManualClock();
  queue = new FakeQueue();
  relay = new FakeRelay();
  sent = [];
  deps = {
    table,
    blobs,
    clock,
    queue,
    relay,
    sender: {
      sendRaw: async (raw, envelope) => {
        sent.push({ raw: raw.toString(), to: envelope.to });
        return { messageId: 'm' };
      },
    },
    readSecret: async () => JSON.stringify({ user: 'relay-user', pass: 'relay-pass' }),
    random: () => 0.5,
  };
  await table.put(domainToItem(domain(DELIVER)));
  for (const a of [
    admin('partner@example.com', 'partner', []),
    admin('da@example.com', 'domain', [D]),
    admin('other@example.com', 'domain', ['other.test']),
  ]) {
    await table.put(adminToItem(a));
    await table.put(adminDirectoryItem(a.email));
  }
});

describe('deliverMessage', () => {
  test('delivers the raw bytes to the envelope recipients and logs each recipient delivered', async () => {
    const job = await received('m1', clock.now());
    const result = await deliverMessage(deps, job);
    expect(result.outcome).toBe('delivered');
    expect(relay.calls).toHaveLength(1);
    expect(relay.calls[0].raw.equals(RAW)).toBe(true);
    expect(relay.calls[0].envelope).toEqual({ from: 'x@outside.test', to: [`ann@${D}`, `bob@${D}`] });
    expect(relay.calls[0].destination).toEqual(DESTINATION);
    expect(await logOf(job, `ann@${D}`)).toMatchObject({
      delivery: 'delivered',
      deliveryReply: '250 Queued',
    });
    expect(queue.jobs).toEqual([]);
    expect(sent).toEqual([]);
  });

  test('a redelivered job whose recipients are settled sends nothing', async () => {
    const job = await received('m1', clock.now());
    await deliverMessage(deps, job);
    expect((await deliverMessage(deps, job)).outcome).toBe('already-done');
    expect(relay.calls).toHaveLength(1);
  });

  test('451 defers with backoff, requeues the next attempt, and the first Bad alerts the admins once', async () => {
    relay.next = { ok: false, code: 451, response: '451 4.3.0 Try later', transient: true };
    const job = await received('m1', clock.now());
    const result = await deliverMessage({ ...deps, retryBaseMs: 60_000 }, job);
    expect(result).toMatchObject({
      outcome: 'deferred',
      code: 451,
      statusChanged: { from: 'Good', to: 'Bad' },
    });
    expect(queue.jobs).toHaveLength(1);
    expect(queue.jobs[0].job).toMatchObject({ attempt: 2, sesMessageId: 'm1' });
    expect(queue.jobs[0].delaySeconds).toBe(30);
    expect(Date.parse((queue.jobs[0].job as DeliveryJob).notBefore!)).toBe(clock.now().getTime() + 30_000);
    expect(await logOf(job, `bob@${D}`)).toMatchObject({
      delivery: 'deferred',
      deliveryReply: '451 4.3.0 Try later',
    });
    expect(sent).toHaveLength(1);
    expect(sent[0].to.sort()).toEqual(['da@example.com', 'partner@example.com']);
    expect(sent[0].raw).toContain('Mail Flow for flow.test is Bad');

    await deliverMessage(deps, await received('m2', clock.now()));
    expect(sent).toHaveLength(1);
  });

  test('a job that comes back before its time is put back, not tried', async () => {
    const job = await received('m1', clock.now());
    const notBefore = new Date(clock.now().getTime() + 2000 * 1000).toISOString();
    expect((await deliverMessage(deps, { ...job, notBefore })).outcome).toBe('waiting');
    expect(relay.calls).toHaveLength(0);
    expect(queue.jobs[0]).toMatchObject({ delaySeconds: 2000, job: { notBefore } });
    expect(sqsDelaySeconds(2000)).toBe(900);
    expect(sqsDelaySeconds(0.2)).toBe(1);
  });

  test('550 fails for good: logged failed, no retry', async () => {
    relay.next = { ok: false, code: 550, response: '550 No such user', transient: false };
    const job = await received('m1', clock.now());
    expect((await deliverMessage(deps, job)).outcome).toBe('failed');
    expect(queue.jobs).toEqual([]);
    expect(await logOf(job, `ann@${D}`)).toMatchObject({ delivery: 'failed' });
  });

  test('recipients the server refused are logged failed while the others are delivered', async () => {
    relay.next = {
      ok: true,
      response: '250 ok',
      rejected: [{ recipient: `bob@${D}`, code: 550, response: 'No such user' }],
    };
    const job = await received('m1', clock.now());
    await deliverMessage(deps, job);
    expect(await logOf(job, `ann@${D}`)).toMatchObject({ delivery: 'delivered' });
    expect(await logOf(job, `bob@${D}`)).toMatchObject({
      delivery: 'failed',
      deliveryReply: '550 No such user',
    });
  });

  test('paused: the job is held instead of sent', async () => {
    await table.put(domainToItem(domain({ ...DELIVER, inbound: 'paused' })));
    const job = await received('m1', clock.now());
    expect((await deliverMessage(deps, job)).outcome).toBe('held');
    expect(relay.calls).toHaveLength(0);
    const held = await table.query(heldPartition(D));
    expect(held.items).toHaveLength(1);
    expect(held.items[0]).toMatchObject({ sesMessageId: 'm1', rawKey: 'incoming/m1', size: RAW.length });
    expect(await logOf(job, `ann@${D}`)).toMatchObject({ delivery: 'held' });
  });

  test('undelivered after 14 days: logged expired, not sent, admins told', async () => {
    const job = await received('old', addDays(clock.now(), -15));
    expect((await deliverMessage(deps, job)).outcome).toBe('expired');
    expect(relay.calls).toHaveLength(0);
    expect(queue.jobs).toEqual([]);
    expect(await logOf(job, `ann@${D}`)).toMatchObject({ delivery: 'expired' });
    expect(sent.some((m) => m.raw.includes('could not be delivered within 14 days'))).toBe(true);
  });

  test('SMTP credentials come from the secret', async () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:xtramail/smtp/flow-AbCdEf';
    await table.put(
      domainToItem(domain({ ...DELIVER, destination: { ...DESTINATION, credentialsSecretArn: arn } })),
    );
    const read: string[] = [];
    await deliverMessage(
      {
        ...deps,
        readSecret: async (id) => {
          read.push(id);
          return JSON.stringify({ user: 'u', pass: 'p' });
        },
      },
      await received('m1', clock.now()),
    );
    expect(read).toEqual([arn]);
    expect(relay.calls[0].destination).toEqual({ ...DESTINATION, auth: { user: 'u', pass: 'p' } });
  });
});

describe('routeMessage', () => {
  const receipt = (id: string, recipients: string[]) => ({
    sesMessageId: id,
    receivedAt: clock.now(),
    envelopeSender: 'x@outside.test',
    recipients,
    verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' } as const,
  });

  test('queues one job per delivering domain, holds for paused ones, ignores the rest', async () => {
    const domains = new Map([
      [D, domain(DELIVER)],
      ['held.test', { ...domain({ ...DELIVER, inbound: 'paused' }), name: 'held.test' }],
      ['plain.test', { ...domain(), name: 'plain.test' }],
    ]);
    const routed = await routeMessage(
      { table, queue },
      receipt('m1', [`Ann@${D}`, `bob@${D}`, 'c@held.test', 'd@plain.test', 'e@elsewhere.test']),
      10,
      domains,
    );
    expect(routed.map((r) => [r.domain, r.action])).toEqual([
      [D, 'deliver'],
      ['held.test', 'hold'],
    ]);
    expect(queue.jobs.map((j) => j.job)).toEqual([
      expect.objectContaining({ domain: D, recipients: [`ann@${D}`, `bob@${D}`], attempt: 1 }),
    ]);
    expect((await table.query(heldPartition('held.test'))).items).toHaveLength(1);
  });
});

describe('release', () => {
  async function hold(count: number) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = `h${String(count - i).padStart(3, '0')}`;
      await blobs.put(rawMailKey(id), `Subject: ${id}\r\n\r\nbody\r\n`, 'message/rfc822');
      await table.put(
        heldToItem({
          domain: D,
          receivedAt: new Date(clock.now().getTime() + i * 1000),
          sesMessageId: id,
          envelopeFrom: 'x@outside.test',
          recipients: [`ann@${D}`],
          rawKey: rawMailKey(id),
          size: 5,
        }),
      );
      ids.push(id);
    }
    return ids;
  }

  /** The held messages the relay was given, in the order it was given them. */
  const sentIds = () => relay.calls.map((c) => /^Subject: (\S+)/.exec(c.raw.toString())![1]);

  /** Runs the walk jobs the queue holds, as the deliver worker would, until none are left. */
  async function runWalks(walkDeps: WalkDeps = deps) {
    const outcomes: string[] = [];
    for (let job = queue.jobs.shift(); job; job = queue.jobs.shift()) {
      if (!isReleaseWalkJob(job.job)) throw new Error('expected only walk jobs');
      clock.advanceSeconds(job.delaySeconds ?? 0);
      outcomes.push((await walkRelease(walkDeps, job.job)).outcome);
    }
    return outcomes;
  }

  test('a release marks held mail and queues one walk; a second release, even at the same time, marks nothing new', async () => {
    const ids = await hold(5);
    const manage = { table, clock, queue };
    const [a, b] = await Promise.all([
      releaseHeld(manage, D, { all: true }),
      releaseHeld(manage, D, { all: true }),
    ]);
    expect(a.released + b.released).toBe(5);
    expect(relay.calls).toHaveLength(0);
    expect(queue.jobs.map((j) => j.job)).toContainEqual({ kind: 'release-walk', domain: D });
    const held = await listHeld(manage, D, {});
    expect(held.items.map((i) => (i as { releasing: boolean }).releasing)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect((await mailFlowOverview(manage, D)).held).toMatchObject({ count: 5, releasing: 5 });
    expect((await releaseHeld(manage, D, { all: true })).released).toBe(0);

    await runWalks();
    // hold() gives later mail smaller ids, so receipt order is not id order.
    expect(sentIds()).toEqual(ids);
    expect((await table.query(heldPartition(D))).items).toEqual([]);
    expect(await table.get(leaseKey(D))).toMatchObject({ owner: '', until: 0 });
  });

  test('the walk is rate-limited: a batch per minute, continued by the lease holder, in receipt order, once each', async () => {
    const ids = await hold(5);
    await releaseHeld({ table, clock, queue }, D, { all: true });
    const start = clock.now().getTime();
    const outcomes = await runWalks({ ...deps, releasePerMinute: 2 });
    expect(outcomes).toEqual(['continues', 'continues', 'done']);
    expect(sentIds()).toEqual(ids);
    expect(clock.now().getTime() - start).toBe(120_000);
  });

  test('a walk out of its time budget hands over to a continuation a minute after it started', async () => {
    const ids = await hold(4);
    await releaseHeld({ table, clock, queue }, D, { all: true });
    queue.jobs.length = 0;
    // Each SMTP transaction takes 15 s: two fit in the 20 s budget.
    const slow: WalkDeps = {
      ...deps,
      relay: {
        deliver: async (raw, envelope, destination) => {
          clock.advanceSeconds(15);
          return relay.deliver(raw, envelope, destination);
        },
      },
    };
    const first = await walkRelease(slow, { kind: 'release-walk', domain: D });
    expect(first).toEqual({ outcome: 'continues', tried: ids.slice(0, 2) });
    expect(queue.jobs).toHaveLength(1);
    expect(queue.jobs[0].delaySeconds).toBe(30);
    clock.advanceSeconds(30);
    const next = await walkRelease(slow, queue.jobs.shift()!.job as ReleaseWalkJob);
    expect(next).toEqual({ outcome: 'done', tried: ids.slice(2) });
    expect(sentIds()).toEqual(ids);
  });

  test('a second walk while one runs only pokes it; the running walk then picks up what the new release marked', async () => {
    const ids = await hold(4);
    const manage = { table, clock, queue };
    await releaseHeld(manage, D, {
      ids: [(await listHeld(manage, D, {})).items.map((i) => (i as { id: string }).id)[0]],
    });
    queue.jobs.length = 0;
    // The running walk: while it delivers the first message, the admin releases the rest.
    let second: Promise<unknown> | undefined;
    const slow: WalkDeps = {
      ...deps,
      relay: {
        deliver: async (raw, envelope, destination) => {
          second ??= releaseHeld(manage, D, { all: true }).then(async () => {
            const walk = queue.jobs.shift()!.job;
            return walkRelease(deps, walk as ReleaseWalkJob);
          });
          expect(await second).toMatchObject({ outcome: 'busy', tried: [] });
          return relay.deliver(raw, envelope, destination);
        },
      },
    };
    const first = await walkRelease(slow, { kind: 'release-walk', domain: D });
    expect(first).toMatchObject({ outcome: 'done' });
    expect(sentIds()).toEqual(ids);
    expect(queue.jobs).toEqual([]);
  });

  test('a continuation whose lease was taken over after it expired does nothing; an expired lease is free', async () => {
    await hold(3);
    await releaseHeld({ table, clock, queue }, D, { all: true });
    queue.jobs.length = 0;
    const first = await walkRelease({ ...deps, releasePerMinute: 1 }, { kind: 'release-walk', domain: D });
    expect(first.outcome).toBe('continues');
    const continuation = queue.jobs.shift()!.job as ReleaseWalkJob;
    // The continuation is lost; after the lease runs out a fresh walk takes over.
    clock.advance(60_000 + LEASE_MS + 1);
    expect((await walkRelease(deps, { kind: 'release-walk', domain: D })).outcome).toBe('done');
    expect((await walkRelease(deps, continuation)).tried).toEqual([]);
    expect(relay.calls).toHaveLength(3);
  });

  test('released mail goes out even if the domain is paused again; a deferral falls back to the retry queue', async () => {
    await table.put(domainToItem(domain({ ...DELIVER, inbound: 'paused' })));
    const jobs = [await received('r1', clock.now()), await received('r2', addDays(clock.now(), 0.001))];
    for (const job of jobs) await deliverMessage(deps, job);
    expect((await table.query(heldPartition(D))).items).toHaveLength(2);
    await releaseHeld({ table, clock, queue }, D, { all: true });
    relay.next = { ok: false, code: 451, response: '451 later', transient: true };
    await walkRelease(deps, queue.jobs.shift()!.job as ReleaseWalkJob);
    expect(relay.calls).toHaveLength(2);
    expect(queue.jobs.map((j) => j.job)).toEqual([
      expect.objectContaining({ sesMessageId: 'r1', attempt: 2, released: true }),
      expect.objectContaining({ sesMessageId: 'r2', attempt: 2, released: true }),
    ]);
    relay.next = { ok: true, response: '250 ok' };
    clock.advanceSeconds(60);
    const retry = queue.jobs.shift()!.job as DeliveryJob;
    expect((await deliverMessage(deps, retry)).outcome).toBe('delivered');
    expect(await logOf(jobs[0], `ann@${D}`)).toMatchObject({ delivery: 'delivered' });
  });

  test('releases selected ids only, and refuses malformed ones', async () => {
    await hold(3);
    const manage = { table, clock, queue };
    const page = await listHeld(manage, D, { limit: 2 });
    expect(page.items).toHaveLength(2);
    const first = (page.items[0] as { id: string }).id;
    expect(await releaseHeld(manage, D, { ids: [first] })).toEqual({ released: 1 });
    await runWalks();
    expect(relay.calls).toHaveLength(1);
    expect(await table.get({ pk: heldPartition(D), sk: first })).toBeUndefined();
    expect((await table.query(heldPartition(D))).items).toHaveLength(2);
    await expect(releaseHeld(manage, D, { ids: ['nonsense'] })).rejects.toMatchObject({ status: 400 });
  });

  test('resuming from a pause releases everything; the overview shows status and held mail', async () => {
    await table.put(domainToItem(domain({ ...DELIVER, inbound: 'paused' })));
    await hold(2);
    const manage = { table, clock, queue };
    const before = await mailFlowOverview(manage, D);
    expect(before).toMatchObject({
      settings: { inbound: 'paused' },
      status: { state: 'good', attempts: 0 },
      held: { count: 2, oldest: clock.now().toISOString() },
    });
    const result = await setMailFlow(manage, D, DELIVER);
    expect(result.released).toBe(2);
    await runWalks();
    expect((await mailFlowOverview(manage, D)).held).toEqual({ count: 0, releasing: 0, oldest: null });
    const port25 = await setMailFlow(manage, D, { ...DELIVER, destination: { ...DESTINATION, port: 25 } });
    expect(port25.released).toBe(0);
    expect((await mailFlowOverview(manage, D)).warning).toMatch(/port 25/);
  });
});

describe('expireHeld', () => {
  test('held mail past 14 days is claimed, logged expired and reported to the admins; newer mail stays', async () => {
    await table.put({ pk: 'DOMAINS', sk: D, type: 'domain-directory' });
    await table.put(domainToItem(domain({ ...DELIVER, inbound: 'paused' })));
    const old = await received('old', addDays(clock.now(), -15));
    const recent = await received('recent', addDays(clock.now(), -1));
    for (const job of [old, recent]) {
      await table.put(
        heldToItem({
          domain: D,
          receivedAt: new Date(job.receivedAt),
          sesMessageId: job.sesMessageId,
          envelopeFrom: job.envelopeSender,
          recipients: job.recipients,
          rawKey: rawMailKey(job.sesMessageId),
          size: 5,
        }),
      );
    }
    expect(await expireHeld(deps)).toBe(1);
    expect(await logOf(old, `ann@${D}`)).toMatchObject({ delivery: 'expired' });
    expect((await logOf(recent, `ann@${D}`))?.delivery).toBeUndefined();
    const left = await table.query(heldPartition(D));
    expect(left.items.map((i) => i.sesMessageId)).toEqual(['recent']);
    expect(sent).toHaveLength(1);
    expect(sent[0].raw).toContain('Held mail for flow.test expired');
    expect(sent[0].to.sort()).toEqual(['da@example.com', 'partner@example.com']);
    expect(await expireHeld(deps)).toBe(0);
    expect(sent).toHaveLength(1);
  });
});
