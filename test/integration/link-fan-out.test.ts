import type { DeliveryQueue, QueuedJob, SendLinksJob } from '../../lambdas/adapters/delivery-queue';
import { isSendLinksJob } from '../../lambdas/adapters/delivery-queue';
import { portalUserToItem, type UserType } from '../../lambdas/core/entities/portal-user';
import { IN_REQUEST_LINK_LIMIT, LINK_JOB_SIZE } from '../../lambdas/core/invitations/send-links';
import { handler as deliver } from '../../lambdas/handlers/deliver';
import { runtime } from '../../lambdas/handlers/runtime';
import { apiClient, type ApiClient } from '../support/api-client';
import { startTestStack, TEST_ADMIN, type TestStack } from '../support/local-stack';

/**
 * Invitations and fire drills for a selection too large to mail within one request: the API
 * answers at once with the users queued, and Mail Flow's queue (the deliver handler, in this
 * process as SQS would run it) mails one working link to each.
 */
const D = 'fanout.test';
const ELIGIBLE = 60;
const local = (i: number) => `u${String(i).padStart(2, '0')}`;
const address = (i: number) => `${local(i)}@${D}`;
const backup = (i: number) => `${local(i)}@home.example`;
const INELIGIBLE = [`nobackup@${D}`, `team@${D}`];

let stack: TestStack;
let partner: ApiClient;
let anonymous: ApiClient;
let partnerToken: string;
let realQueue: DeliveryQueue;
/** The link jobs the console queued, as it queued them. */
let queuedJobs: SendLinksJob[];

interface SentMail {
  subject: string;
  destination: { to: string[] };
  body: { text?: string };
}

const sesStore = async () => (await (await fetch(`${stack.sesUrl}/store`)).json()).emails as SentMail[];
const mailsAbout = async (subject: RegExp) => (await sesStore()).filter((m) => subject.test(m.subject));
const tokenOf = (mail: SentMail) => /\/portal\/link#([A-Za-z0-9_-]{43})/.exec(mail.body.text ?? '')![1];

/** Per backup address, how many of these mails went there. */
const countByRecipient = (mails: SentMail[]) => {
  const counts = new Map<string, number>();
  for (const mail of mails) for (const to of mail.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
};

const INVITE = /invited/;
const DRILL = /fire drill/i;

const putUser = (address: string, type: UserType, backupAddress?: string) =>
  portalUserToItem({
    address,
    type,
    mustChangePassword: true,
    tokenVersion: 0,
    createdAt: new Date().toISOString(),
    ...(backupAddress ? { backupAddress } : {}),
  });

/** Records the console's link jobs; with `twice`, queues each one a second time (a redelivery). */
function watchQueue(options: { twice?: boolean } = {}) {
  runtime.queue = {
    async enqueue(job: QueuedJob, delaySeconds?: number) {
      if (isSendLinksJob(job)) queuedJobs.push(job);
      await realQueue.enqueue(job, delaySeconds);
      if (options.twice && isSendLinksJob(job)) await realQueue.enqueue(job, delaySeconds);
    },
  };
}

beforeAll(async () => {
  stack = await startTestStack();
  realQueue = runtime.queue;
  const session = await apiClient(stack.webUrl).post('/api/console/session', TEST_ADMIN);
  partnerToken = session.body.token;
  partner = apiClient(stack.webUrl, { bearer: partnerToken });
  anonymous = apiClient(stack.webUrl);
  expect((await partner.post('/api/console/domains', { name: D })).status).toBe(201);
  expect((await partner.put(`/api/console/domains/${D}/products`, { xtramail: true })).status).toBe(200);
  await runtime.table.putAll([
    ...Array.from({ length: ELIGIBLE }, (_, i) => putUser(address(i), 'user', backup(i))),
    putUser(INELIGIBLE[0], 'user'),
    putUser(INELIGIBLE[1], 'mailing_list', 'team@home.example'),
  ]);
});
beforeEach(() => {
  queuedJobs = [];
  watchQueue();
});
afterEach(() => {
  runtime.queue = realQueue;
});
afterAll(async () => {
  await stack?.stop();
});

test('inviting all users answers at once with 60 queued, then each gets exactly one working invitation', async () => {
  expect(ELIGIBLE).toBeGreaterThan(IN_REQUEST_LINK_LIMIT);
  const started = Date.now();
  const invited = await partner.post(`/api/console/domains/${D}/invitations`, { all: true });
  expect(invited.status).toBe(200);
  expect(Date.now() - started).toBeLessThan(5000);
  expect(invited.body).toMatchObject({ sent: 0, queued: ELIGIBLE, refused: INELIGIBLE.length });
  const byAddress = new Map<string, { status: string; sent: boolean; reason?: string }>(
    invited.body.results.map((r: { address: string }) => [r.address, r]),
  );
  expect(byAddress.get(address(0))).toEqual({ address: address(0), status: 'queued', sent: false });
  expect(byAddress.get(INELIGIBLE[0])).toMatchObject({
    status: 'refused',
    reason: expect.stringMatching(/backup/),
  });
  expect(byAddress.get(INELIGIBLE[1])).toMatchObject({
    status: 'refused',
    reason: expect.stringMatching(/User/),
  });
  expect(queuedJobs.map((j) => j.addresses.length)).toEqual([LINK_JOB_SIZE, LINK_JOB_SIZE, 10]);

  await stack.deliveryIdle();
  const mails = await mailsAbout(INVITE);
  const counts = countByRecipient(mails);
  expect(mails).toHaveLength(ELIGIBLE);
  for (let i = 0; i < ELIGIBLE; i++) expect(counts.get(backup(i))).toBe(1);
  expect(counts.has('team@home.example')).toBe(false);

  for (const mail of mails) {
    const accepted = await anonymous.post('/api/portal/session/link', {
      token: tokenOf(mail),
      newPassword: 'a password of their own',
    });
    expect(accepted.status).toBe(200);
    expect(`${accepted.body.user.address.split('@')[0]}@home.example`).toBe(mail.destination.to[0]);
  }

  const audit = await partner.get('/api/console/audit');
  expect(audit.body.items).toContainEqual(
    expect.objectContaining({
      action: 'user.invite',
      details: expect.objectContaining({ sent: 0, queued: ELIGIBLE, refused: INELIGIBLE.length }),
    }),
  );
});

test('a drill of all users records them queued, and its participants all end up sent, each with one link', async () => {
  const before = (await mailsAbout(DRILL)).length;
  const started = await partner.post(`/api/console/domains/${D}/drills`, { all: true });
  expect(started.status).toBe(201);
  expect(started.body.queued).toBe(ELIGIBLE);
  expect(started.body.drill).toMatchObject({ participants: ELIGIBLE + INELIGIBLE.length, sent: 0 });
  const { drillId } = started.body.drill;
  const early = await partner.get(`/api/console/domains/${D}/drills/${drillId}`);
  expect(early.body.participants.filter((p: { status: string }) => p.status === 'refused')).toHaveLength(2);

  await stack.deliveryIdle();
  const shown = await partner.get(`/api/console/domains/${D}/drills/${drillId}`);
  expect(shown.body.drill.sent).toBe(ELIGIBLE);
  const sent = shown.body.participants.filter((p: { status: string }) => p.status === 'sent');
  expect(sent).toHaveLength(ELIGIBLE);
  expect(sent.every((p: { sent: boolean; sentAt?: string }) => p.sent && p.sentAt)).toBe(true);

  const mails = (await mailsAbout(DRILL)).slice(before);
  expect(mails).toHaveLength(ELIGIBLE);
  expect([...countByRecipient(mails).values()].every((n) => n === 1)).toBe(true);
  for (const mail of mails) {
    expect((await anonymous.post('/api/portal/session/link', { token: tokenOf(mail) })).status).toBe(200);
  }
  const done = await partner.get(`/api/console/domains/${D}/drills/${drillId}`);
  expect(done.body.drill.completed).toBe(ELIGIBLE);

  const report = await fetch(`${stack.webUrl}/api/console/domains/${D}/drills/${drillId}/report.csv`, {
    headers: { authorization: `Bearer ${partnerToken}` },
  });
  const lines = (await report.text()).trimEnd().split('\r\n').slice(1);
  expect(lines.filter((l) => l.includes(',yes,'))).toHaveLength(ELIGIBLE);
  expect(lines.filter((l) => l.includes(',queued,'))).toEqual([]);
});

test('a job delivered twice mails nobody twice, and the links of the first delivery keep working', async () => {
  watchQueue({ twice: true });
  const before = (await mailsAbout(DRILL)).length;
  const started = await partner.post(`/api/console/domains/${D}/drills`, { all: true });
  expect(started.status).toBe(201);
  expect(queuedJobs).toHaveLength(3);
  await stack.deliveryIdle();

  const mails = (await mailsAbout(DRILL)).slice(before);
  expect(mails).toHaveLength(ELIGIBLE);
  expect([...countByRecipient(mails).values()].every((n) => n === 1)).toBe(true);
  const shown = await partner.get(`/api/console/domains/${D}/drills/${started.body.drill.drillId}`);
  expect(shown.body.drill.sent).toBe(ELIGIBLE);

  // Once more, after the fact: still nothing new, and a link from the first delivery works.
  await realQueue.enqueue(queuedJobs[0]);
  await stack.deliveryIdle();
  expect((await mailsAbout(DRILL)).slice(before)).toHaveLength(ELIGIBLE);
  expect((await anonymous.post('/api/portal/session/link', { token: tokenOf(mails[0]) })).status).toBe(200);
});

test('the deliver function stops a link job before its time runs out and queues the rest', async () => {
  const before = (await mailsAbout(INVITE)).length;
  const job: SendLinksJob = {
    kind: 'send-links',
    jobId: 'cut-short',
    domain: D,
    purpose: 'invite',
    addresses: Array.from({ length: 10 }, (_, i) => address(40 + i)),
  };
  let asked = 0;
  // Plenty of time for 4 addresses, then less than the reserve the handler keeps.
  const context = { getRemainingTimeInMillis: () => (++asked <= 4 ? 50_000 : 5_000) };
  const event = { Records: [{ messageId: 'm1', body: JSON.stringify(job) }] } as unknown as Parameters<
    typeof deliver
  >[0];
  expect(await deliver(event, context)).toEqual({ batchItemFailures: [] });
  expect((await mailsAbout(INVITE)).slice(before)).toHaveLength(4);
  expect(queuedJobs).toEqual([{ ...job, addresses: job.addresses.slice(4) }]);

  await stack.deliveryIdle();
  const mails = (await mailsAbout(INVITE)).slice(before);
  expect(mails.map((m) => m.destination.to[0]).sort()).toEqual(
    Array.from({ length: 10 }, (_, i) => backup(40 + i)),
  );
});

test('a selection of 3 users is still mailed within the request', async () => {
  const before = (await mailsAbout(INVITE)).length;
  const invited = await partner.post(`/api/console/domains/${D}/invitations`, {
    addresses: [address(1), address(2), address(3)],
  });
  expect(invited.status).toBe(200);
  expect(invited.body).toMatchObject({ sent: 3, queued: 0, refused: 0 });
  expect(invited.body.results.every((r: { status: string }) => r.status === 'sent')).toBe(true);
  expect(queuedJobs).toEqual([]);
  // Already in the SES stand-in when the request answers: no queue involved.
  const mails = (await mailsAbout(INVITE)).slice(before);
  expect(mails.map((m) => m.destination.to[0]).sort()).toEqual([backup(1), backup(2), backup(3)]);
});
