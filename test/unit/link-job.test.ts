import type { DeliveryQueue, QueuedJob, SendLinksJob } from '../../lambdas/adapters/delivery-queue';
import { isSendLinksJob } from '../../lambdas/adapters/delivery-queue';
import { consumeLink } from '../../lambdas/core/auth/sign-in-links';
import { drillReportCsv } from '../../lambdas/core/drills/drill-report';
import { participantKey } from '../../lambdas/core/drills/drill-entities';
import { getDrill, startDrill } from '../../lambdas/core/drills/drills';
import { domainToItem, type Domain } from '../../lambdas/core/entities/domain';
import { portalUserKey, portalUserToItem, type UserType } from '../../lambdas/core/entities/portal-user';
import {
  INTERRUPTED_REASON,
  processLinkJob,
  STALE_CLAIM_MS,
  type LinkJobDeps,
} from '../../lambdas/core/invitations/link-job';
import {
  IN_REQUEST_LINK_LIMIT,
  LINK_JOB_SIZE,
  LINK_JOB_SPACING_SECONDS,
  LINK_SENDS_PER_SECOND,
  sendLinks,
} from '../../lambdas/core/invitations/send-links';
import { ManualClock } from './support/manual-clock';
import { MemoryTable } from './support/memory-table';

const DOMAIN: Domain = {
  name: 'fan.test',
  xtramail: { enabled: true, enabledAt: '2025-01-01T00:00:00.000Z' },
  addressDiscovery: true,
  createdAt: '2025-01-01T00:00:00.000Z',
};
const ELIGIBLE = 60;

class FakeQueue implements DeliveryQueue {
  readonly jobs: Array<{ job: QueuedJob; delaySeconds?: number }> = [];
  async enqueue(job: QueuedJob, delaySeconds?: number) {
    this.jobs.push({ job, delaySeconds });
  }
  get linkJobs(): SendLinksJob[] {
    return this.jobs.map((j) => j.job).filter(isSendLinksJob);
  }
}

let table: MemoryTable;
let clock: ManualClock;
let queue: FakeQueue;
let mails: Array<{ to: string; raw: string }>;
let sleeps: number[];
/** The pace clock's time: it moves only by sleeps and by each send's simulated duration. */
let paceNow: number;
const SEND_MS = 30;
let failFor: Set<string>;
let deps: LinkJobDeps;

const userAddress = (i: number) => `u${String(i).padStart(2, '0')}@fan.test`;
const backupOf = (i: number) => `u${String(i).padStart(2, '0')}@home.example`;

const putUser = (address: string, type: UserType, backupAddress?: string) =>
  table.put(
    portalUserToItem({
      address,
      type,
      mustChangePassword: false,
      tokenVersion: 0,
      createdAt: '2025-01-01T00:00:00.000Z',
      ...(backupAddress ? { backupAddress } : {}),
    }),
  );

const tokensTo = (backup: string) =>
  mails
    .filter((m) => m.to === backup)
    .map((m) => /\/portal\/link#([A-Za-z0-9_-]{43})/.exec(m.raw.replace(/=\r?\n/g, ''))![1]);

const runAll = async (jobs: SendLinksJob[]) => {
  const outcomes = [];
  for (const job of jobs) outcomes.push(await processLinkJob(deps, job));
  return outcomes;
};

beforeEach(async () => {
  table = new MemoryTable();
  clock = new ManualClock('2025-03-01T09:00:00.000Z');
  queue = new FakeQueue();
  mails = [];
  sleeps = [];
  paceNow = 0;
  failFor = new Set();
  deps = {
    table,
    clock,
    queue,
    portalUrl: () => 'https://mail.example.net',
    pace: {
      now: () => paceNow,
      sleep: async (ms) => {
        sleeps.push(ms);
        paceNow += ms;
      },
    },
    sender: {
      sendRaw: async (raw, envelope) => {
        paceNow += SEND_MS;
        if (failFor.has(envelope.to[0])) throw new Error('SES said no');
        mails.push({ to: envelope.to[0], raw: raw.toString('utf8') });
        return { messageId: 'm' };
      },
    },
  };
  await table.put(domainToItem(DOMAIN));
  for (let i = 0; i < ELIGIBLE; i++) await putUser(userAddress(i), 'user', backupOf(i));
  await putUser('nobackup@fan.test', 'user');
  await putUser('list@fan.test', 'mailing_list', 'list@home.example');
});

afterEach(() => jest.restoreAllMocks());

test('more than the in-request limit: nothing is mailed now, jobs of 25 are queued one after another', async () => {
  expect(ELIGIBLE).toBeGreaterThan(IN_REQUEST_LINK_LIMIT);
  const results = await sendLinks(deps, DOMAIN, { all: true, filter: {} }, 'invite');
  expect(mails).toEqual([]);
  expect(results.filter((r) => r.status === 'queued')).toHaveLength(ELIGIBLE);
  expect(results.filter((r) => r.status === 'queued').every((r) => r.sent === false)).toBe(true);
  expect(results.find((r) => r.address === 'nobackup@fan.test')).toMatchObject({
    status: 'refused',
    sent: false,
    reason: expect.stringMatching(/No backup address/),
  });
  expect(results.find((r) => r.address === 'list@fan.test')?.status).toBe('refused');

  expect(queue.jobs.map((j) => j.delaySeconds)).toEqual([
    0,
    LINK_JOB_SPACING_SECONDS,
    2 * LINK_JOB_SPACING_SECONDS,
  ]);
  const jobs = queue.linkJobs;
  expect(jobs.map((j) => j.addresses.length)).toEqual([
    LINK_JOB_SIZE,
    LINK_JOB_SIZE,
    ELIGIBLE - 2 * LINK_JOB_SIZE,
  ]);
  expect(new Set(jobs.flatMap((j) => j.addresses)).size).toBe(ELIGIBLE);
  expect(jobs.flatMap((j) => j.addresses)).not.toContain('nobackup@fan.test');
  expect(jobs.every((j) => j.purpose === 'invite' && j.domain === 'fan.test' && !j.drillId)).toBe(true);
  expect(new Set(jobs.map((j) => j.jobId)).size).toBe(jobs.length);
});

test('a queued invitation job mails each user one working link, paced, and a redelivery mails nothing', async () => {
  await sendLinks(deps, DOMAIN, { all: true, filter: {} }, 'invite');
  const outcomes = await runAll(queue.linkJobs);
  expect(outcomes.reduce((sum, o) => sum + o.sent, 0)).toBe(ELIGIBLE);
  for (let i = 0; i < ELIGIBLE; i++) expect(tokensTo(backupOf(i))).toHaveLength(1);

  // Paced: after the first send of a job, each waits out what its send left of its slot.
  expect(sleeps).toEqual(
    new Array(ELIGIBLE - queue.linkJobs.length).fill(1000 / LINK_SENDS_PER_SECOND - SEND_MS),
  );

  const again = await runAll(queue.linkJobs);
  expect(again).toEqual(
    queue.linkJobs.map((j) => ({ sent: 0, failed: 0, refused: 0, skipped: j.addresses.length })),
  );
  expect(mails).toHaveLength(ELIGIBLE);
  const link = await consumeLink(deps, tokensTo(backupOf(7))[0]);
  expect(link).toEqual({ purpose: 'invite', address: userAddress(7) });
});

test('each address is re-checked when its turn comes, and a failed send is recorded once, not retried', async () => {
  await sendLinks(deps, DOMAIN, { all: true, filter: {} }, 'invite');
  // Since the request: u03 lost the backup address, u04 became a mailing list, u05's mail bounces.
  const u03 = (await table.get(portalUserKey(userAddress(3))))!;
  delete u03.backupAddress;
  await table.put(u03);
  await putUser(userAddress(4), 'mailing_list', backupOf(4));
  failFor.add(backupOf(5));
  jest.spyOn(console, 'error').mockImplementation(() => {});
  const [first] = await runAll(queue.linkJobs.slice(0, 1));
  expect(first).toEqual({ sent: LINK_JOB_SIZE - 3, failed: 1, refused: 2, skipped: 0 });
  expect(tokensTo(backupOf(3))).toEqual([]);
  expect(tokensTo(backupOf(4))).toEqual([]);

  failFor.clear();
  const [redelivered] = await runAll(queue.linkJobs.slice(0, 1));
  expect(redelivered).toEqual({ sent: 0, failed: 0, refused: 0, skipped: LINK_JOB_SIZE });
  expect(tokensTo(backupOf(5))).toEqual([]);
});

test('a large drill records participants as queued, and its jobs mark each one sent, once', async () => {
  const started = await startDrill(deps, DOMAIN, { all: true, filter: {} }, 'admin@partner.test');
  expect(started.queued).toBe(ELIGIBLE);
  expect(started.drill).toMatchObject({ participants: ELIGIBLE + 2, sent: 0 });
  const before = await getDrill(deps, 'fan.test', started.drill.drillId);
  expect(before.participants.filter((p) => p.status === 'queued')).toHaveLength(ELIGIBLE);
  expect(drillReportCsv(before.drill, before.participants)).toContain(`,${userAddress(0)},queued,,`);

  const jobs = queue.linkJobs;
  expect(jobs.every((j) => j.purpose === 'drill' && j.drillId === started.drill.drillId)).toBe(true);
  clock.advanceSeconds(30);
  await runAll(jobs);
  await runAll(jobs);
  expect(mails).toHaveLength(ELIGIBLE);

  const after = await getDrill(deps, 'fan.test', started.drill.drillId);
  expect(after.drill.sent).toBe(ELIGIBLE);
  const sent = after.participants.filter((p) => p.status === 'sent');
  expect(sent).toHaveLength(ELIGIBLE);
  expect(sent.every((p) => p.sent && p.sentAt === '2025-03-01T09:00:30.000Z')).toBe(true);
  expect(after.participants.find((p) => p.address === 'nobackup@fan.test')?.status).toBe('refused');
  const link = await consumeLink(deps, tokensTo(backupOf(59))[0]);
  expect(link).toEqual({ purpose: 'drill', address: userAddress(59), drillId: started.drill.drillId });
});

test('an address a dead delivery left claimed is recorded as failed after a while, never mailed twice', async () => {
  const started = await startDrill(deps, DOMAIN, { all: true, filter: {} }, 'admin@partner.test');
  const [job] = queue.linkJobs;
  const key = participantKey('fan.test', started.drill.drillId, job.addresses[0]);
  const item = (await table.get(key))!;
  await table.put({ ...item, status: 'sending', claimedAt: clock.now().toISOString() });

  const soon = await processLinkJob(deps, job);
  expect(soon.skipped).toBe(1);
  expect((await table.get(key))?.status).toBe('sending');

  clock.advance(STALE_CLAIM_MS + 1000);
  const later = await processLinkJob(deps, job);
  expect(later.sent).toBe(0);
  const participant = (await getDrill(deps, 'fan.test', started.drill.drillId)).participants.find(
    (p) => p.address === job.addresses[0],
  );
  expect(participant).toMatchObject({ status: 'failed', sent: false, reason: INTERRUPTED_REASON });
  expect(tokensTo(backupOf(0))).toEqual([]);
});

test('a job told to stop hands back the addresses it did not reach; continuing them mails each once', async () => {
  await sendLinks(deps, DOMAIN, { all: true, filter: {} }, 'invite');
  const [job] = queue.linkJobs;
  let asked = 0;
  const stopped = await processLinkJob(deps, job, () => ++asked > 10);
  expect(stopped).toMatchObject({ sent: 10, skipped: 0 });
  expect(stopped.remaining).toEqual(job.addresses.slice(10));
  expect(mails).toHaveLength(10);

  // Continued under the same job id; the whole job redelivered on top changes nothing.
  const continued = await processLinkJob(deps, { ...job, addresses: stopped.remaining! });
  expect(continued).toEqual({ sent: LINK_JOB_SIZE - 10, failed: 0, refused: 0, skipped: 0 });
  expect((await processLinkJob(deps, job)).skipped).toBe(LINK_JOB_SIZE);
  expect(mails).toHaveLength(LINK_JOB_SIZE);
  expect(new Set(mails.map((m) => m.to)).size).toBe(LINK_JOB_SIZE);
});

test('a job never mails outside its own domain', async () => {
  await putUser('eve@other.test', 'user', 'eve@home.example');
  const outcome = await processLinkJob(deps, {
    kind: 'send-links',
    jobId: 'j1',
    domain: 'fan.test',
    purpose: 'invite',
    addresses: ['eve@other.test', userAddress(1)],
  });
  expect(outcome).toEqual({ sent: 1, failed: 0, refused: 0, skipped: 1 });
  expect(tokensTo('eve@home.example')).toEqual([]);
});

test('a job is recognised only with its fields', () => {
  const job = {
    kind: 'send-links',
    jobId: 'j',
    domain: 'd.test',
    purpose: 'drill',
    drillId: 'x',
    addresses: [],
  };
  expect(isSendLinksJob(job)).toBe(true);
  expect(isSendLinksJob({ ...job, drillId: undefined })).toBe(false);
  expect(isSendLinksJob({ ...job, purpose: 'sign-in' })).toBe(false);
  expect(isSendLinksJob({ ...job, addresses: [1] })).toBe(false);
});
