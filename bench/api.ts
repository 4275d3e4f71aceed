/**
 * `npm run bench -- api`: the portal API over HTTP on the local stack, under load.
 *
 * - seed (no SMTP): domain api.bench.test with XtraMail on, one user with a password, and a
 *   mailbox of 5,000 inbox messages over the last 25 days (message item + body item each, written
 *   with `runtime.table.putAll`; the few bodies over the inline limit go to S3 as ingest does);
 * - load: autocannon (child process, bench/api-load.ts), 20 connections, 10 s per route after a
 *   2 s warm-up, against the local HTTP server: the session check as the no-op, an inbox page, a
 *   search matching ~5% of the mailbox, and a message read rotating over 200 ids (read once
 *   before, so the steady state writes nothing), and the address suggestions (contacts). p50/p99
 *   and req/s, each against the no-op;
 *   Alongside: CPU of the server's main thread (and its event-loop utilization), DynamoDB Local,
 *   the load generator and the rest of the machine, and AWS requests and time in them per response;
 * - AWS requests per operation: sequential calls (after the load runs, so warm), counted by
 *   middleware on the SDK clients (`runtime.clients`), which the local HTTP server's handlers use
 *   in this process; with each call's latency and the part of it spent inside SDK requests. Also
 *   a read whose body is in S3 and the first read of an unread message (which marks it read).
 *
 * BENCH_CPU_PROFILE=<dir> also writes a V8 CPU profile of this process per measured route.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import type { Server } from 'node:http';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TestStack } from '../test/support/local-stack';
import type { BenchOptions } from './args';
import { LOAD_FLAG, type LoadJob, type LoadReply, type LoadResult } from './api-load';

const DOMAIN = 'api.bench.test';
const MAILBOX = `reader@${DOMAIN}`;
const PASSWORD = 'a long bench password for the reader';
const MESSAGES = 5000;
const SPREAD_DAYS = 25;
const CONNECTIONS = 20;
const DURATION_SECONDS = 10;
const WARMUP_SECONDS = 2;
const READ_IDS = 200;
/** 1 in 4 senders is at partner.example, 1 in 5 messages has attachments: ~5% match. */
const SEARCH = 'from:partner.example has:attachment';
const SEQUENTIAL_CALLS = 50;
const SEQUENTIAL_WARMUP = 10;
const SEED_WRITERS = 8;
const QUIET_MS = 300;

const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

// ---------------------------------------------------------------- the mailbox

/** Deterministic figures, so every run seeds the same mailbox. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'partner' | 'colleague' | 'vendor' | 'newsletter' | 'customer';
interface Contact {
  name: string;
  address: string;
  kind: Kind;
}

const contact = (name: string, address: string, kind: Kind): Contact => ({ name, address, kind });
const PARTNERS = ['Carol Sender', 'Dan Okafor', 'Eve Lindqvist', 'Frank Moreau', 'Grace Chen'].map((name) =>
  contact(name, `${name.split(' ')[0].toLowerCase()}@partner.example`, 'partner'),
);
const OTHERS: Contact[] = [
  ...['Hannah Weiss', 'Ivan Petrov', 'Julia Santos', 'Kenji Mori', 'Laura Becker', 'Mateo Ruiz'].map((name) =>
    contact(name, `${name.split(' ')[0].toLowerCase()}@${DOMAIN}`, 'colleague'),
  ),
  contact('Supplier Ltd Billing', 'billing@supplier.example', 'vendor'),
  contact('Cloud Hosting', 'no-reply@hosting.example', 'vendor'),
  contact('Office Supplies Co', 'orders@officesupply.example', 'vendor'),
  contact('Travel Desk', 'bookings@travel.example', 'vendor'),
  contact('The Weekly Digest', 'news@weekly-digest.example', 'newsletter'),
  contact('Industry Insider', 'editor@insider.example', 'newsletter'),
  contact('Product Updates', 'updates@saas-tool.example', 'newsletter'),
  ...[
    ['Nora Fischer', 'acme.example'],
    ['Oscar Nilsen', 'globex.example'],
    ['Priya Raman', 'initech.example'],
    ['Quentin Blake', 'umbrella.example'],
    ['Rosa Alvarez', 'hooli.example'],
    ['Sam Taylor', 'stark.example'],
    ['Tara Singh', 'wayne.example'],
    ['Uma Horvat', 'cyberdyne.example'],
  ].map(([name, domain]) => contact(name, `${name.split(' ')[0].toLowerCase()}@${domain}`, 'customer')),
];

const PROJECTS = ['Atlas', 'Borealis', 'Cobalt', 'Delta', 'Ember', 'Fjord', 'Granite'];
const TOPICS = [
  'budget review',
  'launch plan',
  'contract renewal',
  'Q3 forecast',
  'hiring update',
  'security audit',
  'roadmap',
  'travel plans',
  'design review',
  'data migration',
  'pricing proposal',
  'support escalation',
];
const SENTENCES = [
  'Thanks for the quick turnaround on this.',
  'Please find the latest figures below; the totals changed slightly since last week.',
  'Can we move the call to Thursday afternoon? Tuesday no longer works on our side.',
  'I have shared the draft with the team and collected their comments in the document.',
  'The shipment left the warehouse this morning and should arrive within three working days.',
  'We agreed to revisit the scope once the pilot results are in.',
  'Let me know if anything in the proposal is unclear or needs another pass.',
  'Attached is the signed version; the original follows by post.',
  'Our legal team asked for two small changes to clause 7.',
  'The dashboard now shows the numbers per region, as requested.',
  'Reminder: the office is closed on Friday for the public holiday.',
  'I will be out next week; Hannah covers anything urgent.',
];
const ATTACHMENT_KINDS: Array<[string, string, number]> = [
  ['report.pdf', 'application/pdf', 400_000],
  ['invoice.pdf', 'application/pdf', 90_000],
  ['photo.jpg', 'image/jpeg', 2_500_000],
  ['budget.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 60_000],
  ['slides.pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', 3_000_000],
  ['contract.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 120_000],
];

interface Seeded {
  ids: string[];
  unread: boolean[];
  withAttachments: number;
  searchMatches: number;
  bodiesInS3: Set<number>;
  items: number;
  seconds: number;
}

/** Domain, user with a password, and the mailbox, written straight to the table (and S3). */
async function seed(): Promise<Seeded> {
  const started = performance.now();
  // Imported only now: the handlers read the environment that startTestStack set.
  const [{ runtime }, domains, users, { portalUserToItem }, { hashPassword }, message, body] =
    await Promise.all([
      import('../lambdas/handlers/runtime'),
      import('../lambdas/core/domains/domains'),
      import('../lambdas/core/users/users'),
      import('../lambdas/core/entities/portal-user'),
      import('../lambdas/core/auth/password'),
      import('../lambdas/core/entities/message'),
      import('../lambdas/core/entities/message-body'),
    ]);
  if (await domains.getDomain(runtime, DOMAIN)) throw new Error(`${DOMAIN} is already seeded`);
  await domains.createDomain(runtime, DOMAIN);
  await domains.setXtraMail(runtime, DOMAIN, true);
  const user = await users.addUser(runtime, DOMAIN, MAILBOX, 'user');
  await runtime.table.put(
    portalUserToItem({ ...user, passwordHash: await hashPassword(PASSWORD), mustChangePassword: false }),
  );

  const random = mulberry32(20_260_101);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const now = runtime.clock.now().getTime();
  const items: Array<Record<string, unknown> & { pk: string; sk: string }> = [];
  const overflow: Array<{ key: string; json: string }> = [];
  const seeded: Seeded = {
    ids: [],
    unread: [],
    withAttachments: 0,
    searchMatches: 0,
    bodiesInS3: new Set(),
    items: 0,
    seconds: 0,
  };
  for (let i = 0; i < MESSAGES; i++) {
    // Newest first: i = 0 a minute ago, i = MESSAGES - 1 about SPREAD_DAYS ago.
    const receivedAt = new Date(now - 60_000 - ((i + random()) / MESSAGES) * SPREAD_DAYS * 86_400_000);
    const sesMessageId = createHash('sha1').update(`api-bench-${i}`).digest('hex');
    const from = random() < 0.25 ? pick(PARTNERS) : pick(OTHERS);
    const project = pick(PROJECTS);
    const topic = pick(TOPICS);
    const n = 1000 + Math.floor(random() * 9000);
    const subject = {
      partner: () => `${random() < 0.5 ? 'Re: ' : ''}${project}: ${topic}`,
      colleague: () => pick([`Meeting notes: ${topic}`, `Quick question about ${project}`, `Re: ${topic}`]),
      vendor: () => pick([`Invoice ${n} from ${from.name}`, `Your order ${n} has shipped`, `Receipt ${n}`]),
      newsletter: () => `${from.name} #${n % 300}: ${topic} and more`,
      customer: () => pick([`${project} ${topic}`, `Fwd: ${topic}`, `Support ticket ${n}: ${topic}`]),
    }[from.kind]();
    const paragraphs = Array.from({ length: 2 + Math.floor(random() * 10) }, () =>
      Array.from({ length: 2 + Math.floor(random() * 4) }, () => pick(SENTENCES)).join(' '),
    );
    const text = `Hello,\n\n${paragraphs.join('\n\n')}\n\nBest regards,\n${from.name}`;
    // A newsletter in 8 is a heavy HTML one (~90 KB): its body goes to S3, as ingest stores it.
    const heavy = from.kind === 'newsletter' && random() < 1 / 8;
    const html =
      from.kind === 'newsletter' || random() < 0.6
        ? `<div style="font-family:sans-serif">${paragraphs
            .concat(heavy ? Array.from({ length: 900 }, (_, k) => `${pick(SENTENCES)} (item ${k + 1})`) : [])
            .map((p) => `<p style="margin:0 0 12px">${p}</p>`)
            .join('')}</div>`
        : undefined;
    const attachments =
      random() < 0.2
        ? Array.from({ length: 1 + Math.floor(random() * 3) }, (_, index) => {
            const [filename, contentType, size] = pick(ATTACHMENT_KINDS);
            return {
              index,
              filename,
              contentType,
              size: Math.round(size * (0.5 + random())),
              withheld: false,
            };
          })
        : [];
    const to = [MAILBOX, ...(random() < 0.3 ? [pick(OTHERS).address] : [])];
    const cc =
      random() < 0.25 ? [pick(OTHERS).address, ...(random() < 0.3 ? [pick(PARTNERS).address] : [])] : [];
    const fromText = `"${from.name}" <${from.address}>`;
    const daysAgo = (now - receivedAt.getTime()) / 86_400_000;
    const read = daysAgo > 2 ? random() < 0.97 : random() < 0.3;
    const id = message.messageId('inbox', receivedAt, sesMessageId);
    const headers = {
      from: fromText,
      to: to.join(', '),
      ...(cc.length ? { cc: cc.join(', ') } : {}),
      subject,
      date: receivedAt.toUTCString(),
      'message-id': `<${sesMessageId.slice(0, 16)}@${from.address.split('@')[1]}>`,
    };
    const size =
      1500 + text.length + (html?.length ?? 0) + attachments.reduce((sum, a) => sum + a.size * 1.37, 0);
    items.push(
      message.messageToItem({
        id,
        mailbox: MAILBOX,
        folder: 'inbox',
        sesMessageId,
        receivedAt,
        from: fromText,
        to,
        cc,
        subject,
        date: new Date(receivedAt.getTime() - 5000).toISOString(),
        snippet: text.replace(/\s+/g, ' ').slice(0, 200),
        size: Math.round(size),
        attachments,
        verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
        flags: { spam: false, virus: false, unparseable: false },
        read,
      }),
    );
    const stored = body.bodyToItem(sesMessageId, receivedAt, { text, html, headers, attachments });
    items.push(stored.item);
    if (stored.overflow) {
      overflow.push({ key: body.bodyObjectKey(sesMessageId), json: stored.overflow });
      seeded.bodiesInS3.add(i);
    }
    seeded.ids.push(id);
    seeded.unread.push(!read);
    if (attachments.length) seeded.withAttachments++;
    if (attachments.length && from.address.endsWith('@partner.example')) seeded.searchMatches++;
  }
  // Several writers at once: putAll sends its 25-item batches one after another.
  const share = Math.ceil(items.length / SEED_WRITERS);
  await Promise.all([
    ...Array.from({ length: SEED_WRITERS }, (_, w) =>
      runtime.table.putAll(items.slice(w * share, (w + 1) * share)),
    ),
    ...overflow.map(({ key, json }) => runtime.blobs.put(key, json, 'application/json')),
  ]);
  seeded.items = items.length;
  seeded.seconds = (performance.now() - started) / 1000;
  return seeded;
}

// ---------------------------------------------------------------- counting AWS requests

interface Counts {
  /** `Service.Command` → requests sent (each HTTP attempt, retries included). */
  requests: Record<string, number>;
  /** Wall time spent inside SDK requests (send → deserialized), summed. */
  awsMs: number;
  /** API requests the local HTTP server received (whether or not the client stayed for the answer). */
  served: number;
}

/**
 * Middleware on the SDK clients the handlers use. It sits in the deserialize step, under the
 * retry middleware and after signing, so it sees each request actually sent: a presigned URL
 * stops at signing and never reaches it.
 */
async function countRequests(apiPort: number) {
  const { runtime } = await import('../lambdas/handlers/runtime');
  const counts: Counts = { requests: {}, awsMs: 0, served: 0 };
  const counter =
    (service: string) =>
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: unknown) => {
      const name = `${service}.${(context.commandName ?? 'unknown').replace(/Command$/, '')}`;
      counts.requests[name] = (counts.requests[name] ?? 0) + 1;
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        counts.awsMs += performance.now() - started;
      }
    };
  const clients = { DynamoDB: runtime.clients.dynamodb, S3: runtime.clients.s3 };
  for (const [service, client] of Object.entries(clients)) {
    (client.middlewareStack as { add: (...args: unknown[]) => void }).add(counter(service), {
      step: 'deserialize',
      priority: 'high',
      name: `benchApiRequestCounter${service}`,
    });
    // The stack has sent requests by now (a Query among them), and with cacheMiddleware a command
    // class keeps the handler resolved at its first send: drop the cache so every one is counted.
    (client as unknown as { handlers?: unknown }).handlers = undefined;
  }
  // s3rver is an HTTP server in this process too: only the API's port counts.
  diagnostics.subscribe('http.server.request.start', (message) => {
    const address = (message as { server?: Server }).server?.address();
    if (typeof address === 'object' && address?.port === apiPort) counts.served++;
  });
  const snapshot = (): Counts => ({ ...counts, requests: { ...counts.requests } });
  const since = (before: Counts): Counts => {
    const requests: Record<string, number> = {};
    for (const [name, n] of Object.entries(counts.requests))
      if (n - (before.requests[name] ?? 0)) requests[name] = n - (before.requests[name] ?? 0);
    return { requests, awsMs: counts.awsMs - before.awsMs, served: counts.served - before.served };
  };
  /**
   * Until no AWS request or API request has started for QUIET_MS: handlers whose client left
   * (autocannon closes its connections when time is up) still run to the end.
   */
  const quiet = async () => {
    const deadline = performance.now() + 15_000;
    const state = () => JSON.stringify([counts.requests, counts.served]);
    let last = state();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      const now = state();
      if (now === last || performance.now() > deadline) return;
      last = now;
    }
  };
  return { snapshot, since, quiet };
}

const total = (requests: Record<string, number>) => Object.values(requests).reduce((a, b) => a + b, 0);
const minus = (a: Record<string, number>, b: Record<string, number>) => {
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(a)) if (n - (b[name] ?? 0)) out[name] = n - (b[name] ?? 0);
  return out;
};
const countText = (requests: Record<string, number>, per = 1) =>
  Object.entries(requests)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name} ${Number.isInteger(n / per) ? n / per : fixed(n / per, 2)}`)
    .join(', ') || 'none';

// ---------------------------------------------------------------- CPU of the processes involved

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** utime + stime of a /proc stat file, in ms; NaN where /proc is not there. */
function procCpuMs(file: string): number {
  try {
    const stat = readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** DynamoDB Local: the java process this process started. */
function dynamoDbLocalPid(): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === process.pid && comm.includes('java')) return Number(entry);
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return undefined;
}

/** CPU time of the whole machine (all processes, all CPUs), in ms. */
function machineCpuMs(): number {
  try {
    const [user, nice, system, _idle, _iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return ((user + nice + system + irq + softirq + steal) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

function cpuMeter(javaPid: number | undefined) {
  const read = () => ({
    machine: machineCpuMs(),
    mainThread: procCpuMs(`/proc/self/task/${process.pid}/stat`),
    process: (({ user, system }) => (user + system) / 1000)(process.cpuUsage()),
    java: javaPid ? procCpuMs(`/proc/${javaPid}/stat`) : NaN,
    elu: performance.eventLoopUtilization(),
    at: performance.now(),
  });
  return {
    start() {
      const before = read();
      return () => {
        const after = read();
        const seconds = (after.at - before.at) / 1000;
        return {
          /** CPU time of the server's main thread, in ms. */
          mainThreadMs: after.mainThread - before.mainThread,
          /** Cores used: CPU seconds per wall second. */
          mainThreadCores: (after.mainThread - before.mainThread) / 1000 / seconds,
          processCores: (after.process - before.process) / 1000 / seconds,
          dynamoDbLocalCores: (after.java - before.java) / 1000 / seconds,
          machineCores: (after.machine - before.machine) / 1000 / seconds,
          eventLoopUtilization: performance.eventLoopUtilization(after.elu, before.elu).utilization,
        };
      };
    },
  };
}

/**
 * BENCH_CPU_PROFILE=<dir>: a V8 CPU profile of this process (the server's handlers) during each
 * measured run, as `<dir>/api-<route>.cpuprofile`, to see where the time goes.
 */
async function cpuProfiler() {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  return {
    start: () => session.post('Profiler.start'),
    async stop(name: string) {
      const { profile } = await session.post('Profiler.stop');
      const file = path.join(path.resolve(dir), `api-${name}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
    close: () => session.disconnect(),
  };
}

// ---------------------------------------------------------------- the load generator

function loadGenerator() {
  const child: ChildProcess = fork(path.join(__dirname, 'api-load.ts'), [LOAD_FLAG], {
    cwd: path.resolve(__dirname, '..'),
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let nextId = 0;
  const waiting = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  child.on('message', (reply: LoadReply) => {
    const id = reply.ok ? reply.result.id : reply.id;
    const pending = waiting.get(id);
    waiting.delete(id);
    if (reply.ok) pending?.resolve(reply.result);
    else pending?.reject(new Error(`load generator failed: ${reply.error}`));
  });
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `load generator exited (${code ?? signal})`;
    for (const pending of waiting.values()) pending.reject(new Error(exited));
    waiting.clear();
  });
  return {
    run(job: Omit<LoadJob, 'id'>): Promise<LoadResult> {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        if (exited) return reject(new Error(exited));
        waiting.set(id, { resolve, reject });
        child.send({ ...job, id }, (error) => {
          if (!error) return;
          waiting.delete(id);
          reject(error);
        });
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

// ---------------------------------------------------------------- the benchmark

type OpKey = 'noop' | 'inbox' | 'search' | 'read' | 'contacts';
interface Op {
  key: OpKey;
  label: string;
  route: string;
  paths: string[];
}

interface Sequential {
  /** Requests of the first measured call. */
  requests: Record<string, number>;
  /** Each distinct set of requests the measured calls made, and how many calls made it. */
  variants: Array<{ calls: number; requests: Record<string, number> }>;
  latencyP50Ms: number;
  awsP50Ms: number;
  /** What one response held (items on a page, …). */
  note: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function apiBenchmark(
  stack: TestStack,
  _options: BenchOptions,
  print: (line: string) => void,
): Promise<void> {
  const benchStarted = performance.now();
  const apiUrl = new URL(stack.webUrl);
  // Before the measured sends: the SDK clients cache their middleware per command (cacheMiddleware).
  const counter = await countRequests(Number(apiUrl.port));
  const seeded = await seed();
  const baseUrl = `http://127.0.0.1:${apiUrl.port}`;

  const signIn = await fetch(`${baseUrl}/api/portal/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: MAILBOX, password: PASSWORD }),
  });
  if (signIn.status !== 200) throw new Error(`portal sign-in answered ${signIn.status}`);
  const { token } = (await signIn.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}` };
  const get = async (urlPath: string) => {
    const response = await fetch(`${baseUrl}${urlPath}`, { headers });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET ${urlPath} answered ${response.status}: ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const readPath = (id: string) => `/api/portal/messages/${encodeURIComponent(id)}`;

  // 200 ids spread over the whole mailbox, read once now: the first read of an unread one writes.
  const readIndexes = Array.from({ length: READ_IDS }, (_, k) => Math.floor((k * MESSAGES) / READ_IDS));
  const firstReadWrites = readIndexes.filter((i) => seeded.unread[i]).length;
  const preRead = counter.snapshot();
  for (let k = 0; k < readIndexes.length; k += 10)
    await Promise.all(readIndexes.slice(k, k + 10).map((i) => get(readPath(seeded.ids[i]))));
  const preReadCounts = counter.since(preRead);

  const ops: Op[] = [
    { key: 'noop', label: 'no-op', route: 'GET /api/portal/session', paths: ['/api/portal/session'] },
    {
      key: 'inbox',
      label: 'inbox page',
      route: 'GET /api/portal/messages?folder=inbox',
      paths: ['/api/portal/messages?folder=inbox'],
    },
    {
      key: 'search',
      label: 'search',
      route: `GET /api/portal/messages?q=${SEARCH}`,
      paths: [`/api/portal/messages?q=${encodeURIComponent(SEARCH)}`],
    },
    {
      key: 'read',
      label: 'read',
      route: `GET /api/portal/messages/{id} (${READ_IDS} ids in turn)`,
      paths: readIndexes.map((i) => readPath(seeded.ids[i])),
    },
    {
      key: 'contacts',
      label: 'contacts',
      route: 'GET /api/portal/contacts',
      paths: ['/api/portal/contacts'],
    },
  ];

  // ---- load
  const javaPid = dynamoDbLocalPid();
  const cpu = cpuMeter(javaPid);
  const load = loadGenerator();
  const profiler = await cpuProfiler();
  const profiles: string[] = [];
  const loaded = {} as Record<
    OpKey,
    LoadResult & {
      cpu: ReturnType<ReturnType<ReturnType<typeof cpuMeter>['start']>>;
      /** API requests the server received in the window (autocannon drops the last in flight). */
      served: number;
      /** Main-thread CPU from the start of the run until its last handler finished, per request served. */
      mainThreadMsPerRequest: number;
      requests: Record<string, number>;
      awsMsPerRequest: number;
    }
  >;
  try {
    for (const op of ops) {
      const job = { url: baseUrl, headers, paths: op.paths, connections: CONNECTIONS };
      await load.run({ ...job, durationSeconds: WARMUP_SECONDS });
      await counter.quiet(); // the warm-up's last handlers finish outside the measured window
      const before = counter.snapshot();
      await profiler?.start();
      const stop = cpu.start();
      const result = await load.run({ ...job, durationSeconds: DURATION_SECONDS });
      const used = stop();
      if (profiler) profiles.push(await profiler.stop(op.key));
      await counter.quiet(); // and the measured run's inside it: requests are per request served
      const delta = counter.since(before);
      const mainThreadMs = stop().mainThreadMs;
      loaded[op.key] = {
        ...result,
        cpu: used,
        served: delta.served,
        mainThreadMsPerRequest: mainThreadMs / (delta.served || 1),
        requests: delta.requests,
        awsMsPerRequest: delta.awsMs / (delta.served || 1),
      };
    }
  } finally {
    profiler?.close();
    await load.stop();
  }

  // ---- AWS requests per call and sequential latency (one request in flight at a time), after
  // the load runs: every route is warm by then.
  const sequential = {} as Record<OpKey, Sequential>;
  for (const op of ops) {
    for (let k = 0; k < SEQUENTIAL_WARMUP; k++) await get(op.paths[k % op.paths.length]);
    const latencies: number[] = [];
    const aws: number[] = [];
    const perCall: Array<Record<string, number>> = [];
    let body: Record<string, unknown> = {};
    for (let k = 0; k < SEQUENTIAL_CALLS; k++) {
      const before = counter.snapshot();
      const started = performance.now();
      body = await get(op.paths[k % op.paths.length]);
      latencies.push(performance.now() - started);
      const delta = counter.since(before);
      aws.push(delta.awsMs);
      perCall.push(delta.requests);
    }
    const items = Array.isArray(body.items) ? body.items.length : undefined;
    sequential[op.key] = {
      requests: perCall[0],
      variants: [...new Set(perCall.map((r) => JSON.stringify(r)))].map((json) => ({
        calls: perCall.filter((r) => JSON.stringify(r) === json).length,
        requests: JSON.parse(json) as Record<string, number>,
      })),
      latencyP50Ms: median(latencies),
      awsP50Ms: median(aws),
      note:
        op.key === 'read'
          ? `${seeded.bodiesInS3.size ? `${readIndexes.filter((i) => seeded.bodiesInS3.has(i)).length} of the ${READ_IDS} rotated ids with the body in S3` : ''}`
          : items !== undefined
            ? `${items} items${body.nextCursor ? ' + cursor' : ''}`
            : '',
    };
  }
  // Reads off the steady path: a body kept in S3, and the first read of an unread message.
  const s3BodyIndex = [...seeded.bodiesInS3][0];
  const unreadIndex = seeded.unread.findIndex((unread, i) => unread && !readIndexes.includes(i));
  const oneCall = async (index: number | undefined) => {
    if (index === undefined || index < 0) return undefined;
    const before = counter.snapshot();
    await get(readPath(seeded.ids[index]));
    return counter.since(before).requests;
  };
  const s3BodyRead = await oneCall(s3BodyIndex);
  const firstRead = await oneCall(unreadIndex);
  // The search's own fraction of the mailbox and its first page.
  const searchPage = await get(ops[2].paths[0]);

  // ---- report
  const noop = loaded.noop;
  const session = sequential.noop.requests;
  print(
    `api: the portal API over HTTP on the local stack (handlers in this process, DynamoDB Local in Java, s3rver in this process); ${thousands(seeded.ids.length)} messages in the mailbox`,
  );
  print(
    `  seeded without SMTP in ${fixed(seeded.seconds)} s: ${thousands(seeded.items)} items (message + body each) with putAll, ${seeded.withAttachments} messages with attachments, ${seeded.bodiesInS3.size} bodies over 64 KB in S3; spread over ${SPREAD_DAYS} days`,
  );
  print(
    `  search "${SEARCH}" matches ${seeded.searchMatches} messages (${fixed((100 * seeded.searchMatches) / MESSAGES)}%); its first page: ${Array.isArray(searchPage.items) ? searchPage.items.length : '?'} items${searchPage.nextCursor ? ' + cursor' : ''}`,
  );
  print(
    `  pre-read the ${READ_IDS} read ids once (${firstReadWrites} were unread): ${countText(preReadCounts.requests)}`,
  );
  print(
    `load: autocannon in a child process, ${CONNECTIONS} connections, ${DURATION_SECONDS} s per route after ${WARMUP_SECONDS} s of warm-up; latency of 2xx responses (autocannon's per-response times, fractional ms)`,
  );
  const header = `  ${'route'.padEnd(12)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'req/s'.padStart(8)} ${'p50 ×no-op'.padStart(11)} ${'p99 ×no-op'.padStart(11)} ${'failed'.padStart(8)}  path`;
  print(header);
  for (const op of ops) {
    const r = loaded[op.key];
    print(
      `  ${op.label.padEnd(12)} ${fixed(r.latencyMs.p50, 2).padStart(8)} ${fixed(r.latencyMs.p99, 2).padStart(8)} ${fixed(r.requestsPerSecond, 0).padStart(8)} ${fixed(r.latencyMs.p50 / noop.latencyMs.p50, 2).padStart(11)} ${fixed(r.latencyMs.p99 / noop.latencyMs.p99, 2).padStart(11)} ${String(r.non2xx + r.errors + r.timeouts).padStart(8)}  ${op.route}`,
    );
  }
  print(
    `  where the time goes under load (cores = CPU seconds per second, ${availableParallelism()} CPUs here${javaPid ? '' : '; DynamoDB Local not found'}; an event loop busy on less than 1 core waits for a CPU; time inside AWS requests includes queueing in DynamoDB Local and waiting for the event loop):`,
  );
  for (const op of ops) {
    const r = loaded[op.key];
    print(
      `    ${op.label.padEnd(11)} server main thread ${fixed(r.cpu.mainThreadCores, 2)} cores (event loop ${fixed(100 * r.cpu.eventLoopUtilization, 0)}% busy), whole server process ${fixed(r.cpu.processCores, 2)}, DynamoDB Local ${fixed(r.cpu.dynamoDbLocalCores, 2)}, load generator ${fixed(r.cpuMs / 1000 / r.seconds, 2)}, anything else on the machine ${fixed(r.cpu.machineCores - r.cpu.processCores - r.cpu.dynamoDbLocalCores - r.cpuMs / 1000 / r.seconds, 2)}; per request served: ${fixed(r.mainThreadMsPerRequest, 2)} ms of main-thread CPU, ${fixed(total(r.requests) / (r.served || 1), 2)} AWS requests, ${fixed(r.awsMsPerRequest, 2)} ms inside them; ${thousands(r.bytesPerResponse)} B per response`,
    );
  }

  print(
    `AWS requests per call (sequential calls after the load runs, counted on runtime.clients.dynamodb / .s3; presigned links make none):`,
  );
  /** A read beyond the session check: one GetItem or BatchGetItem, at most one S3 GET, nothing else. */
  const readMeetsTarget = (requests: Record<string, number>) => {
    const beyond = minus(requests, session);
    const gets = (beyond['DynamoDB.GetItem'] ?? 0) + (beyond['DynamoDB.BatchGetItem'] ?? 0);
    const s3 = beyond['S3.GetObject'] ?? 0;
    return gets === 1 && s3 <= 1 && total(beyond) === gets + s3;
  };
  const targets: Record<OpKey, { text: string; met?: boolean }> = {
    noop: { text: 'the session check every authenticated route pays' },
    inbox: {
      text: 'target 1 Query',
      met:
        JSON.stringify(minus(sequential.inbox.requests, session)) === JSON.stringify({ 'DynamoDB.Query': 1 }),
    },
    search: { text: `no target; Query pages of up to 500 items until 50 match or 2,000 are read` },
    contacts: {
      text: 'target 2 Queries (the newest 300 received, 200 sent)',
      met:
        JSON.stringify(minus(sequential.contacts.requests, session)) ===
        JSON.stringify({ 'DynamoDB.Query': 2 }),
    },
    read: {
      text: `target 1 GetItem/BatchGetItem + at most 1 S3 GET${s3BodyRead ? ', body inline and body in S3' : ''}`,
      met: readMeetsTarget(sequential.read.requests) && (!s3BodyRead || readMeetsTarget(s3BodyRead)),
    },
  };
  for (const op of ops) {
    const s = sequential[op.key];
    const beyond = op.key === 'noop' ? s.requests : minus(s.requests, session);
    const t = targets[op.key];
    print(
      `  ${op.label.padEnd(11)} ${countText(s.requests)}${op.key === 'noop' ? '' : ` → beyond the session check: ${countText(beyond)}`} (${t.text}${t.met === undefined ? '' : t.met ? ': met' : ': NOT met'})${s.variants.length > 1 ? ` [over ${SEQUENTIAL_CALLS} calls: ${s.variants.map((v) => `${v.calls}× ${countText(v.requests)}`).join('; ')}]` : ''}${s.note ? `; ${s.note}` : ''}`,
    );
  }
  if (s3BodyRead)
    print(
      `  read, body in S3 (message #${s3BodyIndex + 1} from the newest): ${countText(s3BodyRead)} → beyond the session check: ${countText(minus(s3BodyRead, session))}`,
    );
  if (firstRead) print(`  read, first time (unread → read): ${countText(firstRead)}`);
  print(`sequential latency (one request at a time, ${SEQUENTIAL_CALLS} calls, medians):`);
  for (const op of ops) {
    const s = sequential[op.key];
    print(
      `  ${op.label.padEnd(11)} ${fixed(s.latencyP50Ms, 2)} ms, of which ${fixed(s.awsP50Ms, 2)} ms inside AWS SDK requests (${fixed((100 * s.awsP50Ms) / s.latencyP50Ms, 0)}%)`,
    );
  }
  if (profiles.length) print(`  CPU profiles of this process under load: ${profiles.join(', ')}`);
  print(`  whole benchmark: ${fixed((performance.now() - benchStarted) / 1000)} s`);

  print(
    `BENCH_JSON ${JSON.stringify({
      benchmark: 'api',
      mailbox: {
        messages: seeded.ids.length,
        items: seeded.items,
        withAttachments: seeded.withAttachments,
        bodiesInS3: seeded.bodiesInS3.size,
        spreadDays: SPREAD_DAYS,
        seedSeconds: seeded.seconds,
      },
      search: {
        query: SEARCH,
        matches: seeded.searchMatches,
        fraction: seeded.searchMatches / MESSAGES,
        firstPageItems: Array.isArray(searchPage.items) ? searchPage.items.length : undefined,
      },
      load: {
        tool: 'autocannon',
        connections: CONNECTIONS,
        durationSeconds: DURATION_SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        readIds: READ_IDS,
      },
      routes: Object.fromEntries(
        ops.map((op) => {
          const r = loaded[op.key];
          const s = sequential[op.key];
          return [
            op.key,
            {
              route: op.route,
              latencyMs: r.latencyMs,
              requestsPerSecond: r.requestsPerSecond,
              p50VsNoop: r.latencyMs.p50 / noop.latencyMs.p50,
              p99VsNoop: r.latencyMs.p99 / noop.latencyMs.p99,
              responses2xx: r.ok,
              non2xx: r.non2xx,
              statusCodes: r.statusCodes,
              errors: r.errors,
              timeouts: r.timeouts,
              bytesPerResponse: r.bytesPerResponse,
              underLoad: {
                ...r.cpu,
                loadGeneratorCores: r.cpuMs / 1000 / r.seconds,
                served: r.served,
                mainThreadCpuMsPerRequest: r.mainThreadMsPerRequest,
                awsRequestsPerRequest: total(r.requests) / (r.served || 1),
                awsRequests: r.requests,
                awsMsPerRequest: r.awsMsPerRequest,
              },
              awsRequestsPerCall: s.requests,
              awsRequestsPerCallBeyondSession: op.key === 'noop' ? s.requests : minus(s.requests, session),
              targetMet: targets[op.key].met,
              sequential: {
                latencyP50Ms: s.latencyP50Ms,
                awsP50Ms: s.awsP50Ms,
                calls: SEQUENTIAL_CALLS,
                requestVariants: s.variants,
              },
            },
          ];
        }),
      ),
      readBodyInS3Requests: s3BodyRead,
      firstReadRequests: firstRead,
      preRead: { ids: READ_IDS, unreadBefore: firstReadWrites, requests: preReadCounts.requests },
      totalSeconds: (performance.now() - benchStarted) / 1000,
    })}`,
  );
}
