/**
 * The child process of `bench/ingest.ts`: it runs one measurement in a process of its own, so
 * `process.cpuUsage()` and peak RSS are the measured code's alone (s3rver runs in the parent,
 * DynamoDB Local in Java). The parent forks it from a minified bundle of this file (under
 * `--import tsx` if bundling fails) and sends it jobs over IPC, one at a time, each answered
 * with one reply. Its stdout is discarded: the handler's logs and EMF lines cost what they cost
 * to write in Lambda.
 */
import { randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SESEvent } from 'aws-lambda';

export interface CorpusMessage {
  set: string;
  file: string;
}

export type RecipientMode = 'one' | 'headers';

/**
 * A worker is set up once (`ingest`, `parse`, `noop`, `minimal`: load, prepare, warm up), then
 * measures slices of the corpus on `measure` until `finish` returns its figures. The parent
 * alternates slices between the workers, so drift in the machine's speed (other tenants of the
 * host, DynamoDB Local's JIT) lands on the handler and its floors alike. `large` is one shot.
 */
export type Job =
  | { kind: 'ingest'; messages: CorpusMessage[]; recipients: RecipientMode; warmup: number }
  | { kind: 'parse'; messages: CorpusMessage[]; warmup: number }
  /** `endpoint` 'stand-in': the stack's DynamoDB Local, a GetItem of a key that is not there. */
  | { kind: 'noop'; endpoint: string | 'stand-in'; warmup: number }
  | { kind: 'minimal'; messages: CorpusMessage[]; endpoint: string; warmup: number }
  /** Messages [start, end); `requests`: the handler's request count for each (noop, minimal). */
  | { kind: 'measure'; start: number; end: number; requests?: number[] }
  | { kind: 'finish' }
  | { kind: 'large'; event: SESEvent };

/** What `measure` returns from the ingest worker: how many requests each message made. */
export interface SliceRequests {
  requests: number[];
}

export interface Slow {
  file: string;
  cpuMs: number;
  wallMs: number;
  bytes: number;
}

export interface Failure {
  file: string;
  error: string;
}

/** Mean CPU ms per item over consecutive batches (shows how much noise a figure carries). */
export interface BatchSpread {
  size: number;
  min: number;
  median: number;
  max: number;
  /** Every batch mean, in the order measured: drift shows here. */
  inOrder: number[];
}

export interface IngestResult {
  messages: number;
  bytes: number;
  recipients: number;
  wallMs: number;
  cpuMs: number;
  /** The part of cpuMs spent in the kernel (sockets, mostly). */
  systemCpuMs: number;
  latencyMs: { p50: number; p95: number; max: number };
  batches: BatchSpread;
  perSet: Record<string, { messages: number; cpuMs: number; wallMs: number }>;
  requests: Record<string, number>;
  httpRequests: number;
  itemsWritten: number;
  failures: Failure[];
  slowest: Slow[];
  rssMiB: number;
}

export interface ParseResult {
  messages: number;
  cpuMs: number;
  wallMs: number;
  batches: BatchSpread;
  skipOptionsCpuMs: number;
  failures: Failure[];
  slowest: Slow[];
  /** The same five parsed again: median CPU ms of 5 parses each. */
  slowestAgain: Slow[];
  noFrom: number;
  attachments: number;
}

export interface NoopResult {
  requests: number;
  cpuMs: number;
  systemCpuMs: number;
  wallMs: number;
  batches: BatchSpread;
}

/** The floors measured together, as the least any ingest handler does: parse, then its requests. */
export interface MinimalResult {
  messages: number;
  parseCpuMs: number;
  requests: number;
  requestCpuMs: number;
}

export interface LargeResult {
  rssAfterLoadMiB: number;
  maxRssBeforeIngestMiB: number;
  maxRssMiB: number;
  /** The fullest memoryUsage() sample while ingesting (every 2 ms): what the peak is made of. */
  sampledPeak: { rssMiB: number; heapUsedMiB: number; arrayBuffersMiB: number };
  wallMs: number;
  cpuMs: number;
  requests: Record<string, number>;
  error?: string;
}

export const WORKER_FLAG = '--bench-worker';

export type WorkerReply = { ok: true; result: unknown } | { ok: false; error: string };

const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const systemCpuMs = (since: NodeJS.CpuUsage) => process.cpuUsage(since).system / 1000;
const mib = (bytes: number) => bytes / 2 ** 20;
/**
 * Peak RSS of this process: VmHWM from /proc/self/status. Not `resourceUsage().maxRSS`, which
 * Linux carries over from the parent across fork and exec: it started at the bench runner's
 * size (~130 MiB, s3rver included), above this process's real peak.
 */
function maxRssMiB(): number {
  try {
    const kB = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kB) return Number(kB) / 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS / 1024; // KB on Linux and macOS
}
const errorText = (error: unknown) =>
  (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 300);
/**
 * Only before a memory baseline: a forced full GC throws away V8's warmed-up code and type
 * feedback (the next 200 parses ran ~3× slower), so CPU measurements never call it.
 */
const gc = () => (globalThis as { gc?: () => void }).gc?.();

/**
 * The bytes as SES would store them after an SMTP transaction: CRLF line ends and no mbox
 * `From ` line (the corpus files are Unix mailbox extracts).
 */
export function wireForm(file: Buffer): Buffer {
  let text = file.toString('latin1');
  if (text.startsWith('From ')) text = text.slice(text.indexOf('\n') + 1);
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** AWS requests by `Service.Command`, counted once per HTTP attempt (after the retry middleware). */
function countRequests(counts: Record<string, number>, written: { items: number; requests: number }) {
  return (service: string) =>
    (
      next: (args: { input: Record<string, unknown> }) => Promise<unknown>,
      context: { commandName?: string },
    ) =>
    async (args: { input: Record<string, unknown> }) => {
      const name = `${service}.${context.commandName ?? 'unknown'}`;
      counts[name] = (counts[name] ?? 0) + 1;
      written.requests++;
      const input = args.input;
      if (input.RequestItems && /Write/.test(name))
        for (const requests of Object.values(input.RequestItems as Record<string, unknown[]>))
          written.items += requests.length;
      else if (Array.isArray(input.TransactItems)) written.items += input.TransactItems.length;
      else if (/\.(Put|Update)/.test(name) && service === 'DynamoDB') written.items += 1;
      return next(args);
    };
}

/** The handler and its runtime, with request counters on the SDK clients it uses. */
async function loadHandler() {
  const [{ runtime }, { handler }] = await Promise.all([
    import('../lambdas/handlers/runtime'),
    import('../lambdas/handlers/ingest'),
  ]);
  const counts: Record<string, number> = {};
  const written = { items: 0, requests: 0 };
  const counter = countRequests(counts, written);
  const clients = { DynamoDB: runtime.clients.dynamodb, S3: runtime.clients.s3 };
  for (const [service, client] of Object.entries(clients)) {
    (client.middlewareStack as { add: (...args: unknown[]) => void }).add(counter(service), {
      step: 'finalizeRequest',
      name: `benchRequestCounter${service}`,
    });
  }
  const http = { requests: 0 };
  diagnostics.subscribe('http.client.request.start', () => http.requests++);
  const snapshot = () => ({ counts: { ...counts }, items: written.items, http: http.requests });
  const since = (before: ReturnType<typeof snapshot>) => {
    const delta: Record<string, number> = {};
    for (const [name, n] of Object.entries(counts))
      if (n - (before.counts[name] ?? 0)) delta[name] = n - (before.counts[name] ?? 0);
    return {
      requests: delta,
      itemsWritten: written.items - before.items,
      httpRequests: http.requests - before.http,
    };
  };
  return { runtime, handler, snapshot, since, requestsSoFar: () => written.requests };
}

const ADDRESS = /[^\s<>,;:"()[\]]+@[^\s<>,;:"()[\]]+/g;
const fnv1a = (text: string) => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
};

/**
 * Envelope recipients on the managed domain bench.test. `one`: user<N % 50>. `headers`: each
 * To/Cc address mapped onto 60 mailboxes, user0…49 (users) and guest0…9 (not users), at most 10.
 */
export function benchRecipients(mode: RecipientMode, index: number, headerValues: string[]): string[] {
  if (mode === 'one') return [`user${index % 50}@bench.test`];
  const mapped = new Set<string>();
  for (const address of headerValues.join(',').match(ADDRESS) ?? []) {
    const bucket = fnv1a(address.toLowerCase()) % 60;
    mapped.add(bucket < 50 ? `user${bucket}@bench.test` : `guest${bucket - 50}@bench.test`);
    if (mapped.size === 10) break;
  }
  return mapped.size ? [...mapped] : [`user${index % 50}@bench.test`];
}

async function mapLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** `n` items, going round `items` as often as needed (warm-up runs longer than a small sample). */
const cycle = <T>(items: T[], n: number): T[] => Array.from({ length: n }, (_, i) => items[i % items.length]);

/**
 * BENCH_CPU_PROFILE=<dir>: a V8 CPU profile of the measured slices only (no loading, no
 * warm-up, no storing of raw messages; the pauses between slices show as idle), written as
 * <dir>/<name>-<pid>.cpuprofile (unminified: see bench/ingest.ts).
 */
function profiler(name: string) {
  const dir = process.env.BENCH_CPU_PROFILE;
  let inspector: Session | undefined;
  return {
    async start() {
      if (!dir || inspector) return;
      inspector = new Session();
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
      await inspector.post('Profiler.start');
    },
    async stop() {
      if (!dir || !inspector) return;
      const { profile } = await inspector.post('Profiler.stop');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(profile));
      inspector.disconnect();
      inspector = undefined;
    },
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0;
const slowest = (all: Slow[], n = 5) => [...all].sort((a, b) => b.cpuMs - a.cpuMs).slice(0, n);
const BATCH = 200;
function spread(batchMeans: number[], size = BATCH): BatchSpread {
  const sorted = [...batchMeans].sort((a, b) => a - b);
  return {
    size,
    min: sorted[0] ?? 0,
    median: percentile(sorted, 0.5),
    max: sorted.at(-1) ?? 0,
    inOrder: batchMeans,
  };
}
/** Batch means of per-item CPU, in the order measured (a last partial batch under half size is dropped). */
function batchMeans(cpu: number[]): number[] {
  const means: number[] = [];
  for (let start = 0; start < cpu.length; start += BATCH) {
    const batch = cpu.slice(start, start + BATCH);
    if (batch.length >= BATCH / 2 || start === 0) means.push(batch.reduce((a, b) => a + b, 0) / batch.length);
  }
  return means;
}

async function ingestSession(job: Extract<Job, { kind: 'ingest' }>): Promise<Measuring> {
  const { runtime, handler, snapshot, since, requestsSoFar } = await loadHandler();
  const [{ rawMailKey }, { sesEvent }] = await Promise.all([
    import('../lambdas/core/ingest/receipt'),
    import('../bin/local/smtp-receiver'),
  ]);
  const at = new Date();
  const prepare = (message: CorpusMessage, index: number) => {
    const raw = wireForm(readFileSync(message.file));
    const id = randomBytes(20).toString('hex');
    const probe = sesEvent(id, raw, 'sender@corpus.test', [], at);
    const headers = probe.Records[0].ses.mail.headers
      .filter((h) => /^(to|cc)$/i.test(h.name))
      .map((h) => h.value);
    const recipients = benchRecipients(job.recipients, index, headers);
    const from = /<?([^\s<>]+@[^\s<>]+)>?/.exec(probe.Records[0].ses.mail.commonHeaders.from?.[0] ?? '')?.[1];
    return { ...message, raw, id, event: sesEvent(id, raw, from ?? 'sender@corpus.test', recipients, at) };
  };
  const warm = cycle(job.messages, job.warmup).map((m, i) => prepare(m, i));
  const measured = job.messages.map(prepare);
  // Not timed: SES's S3 action stores the raw message before it invokes the Lambda.
  await mapLimit([...warm, ...measured], 8, (m) =>
    runtime.blobs.put(rawMailKey(m.id), m.raw, 'message/rfc822'),
  );
  for (const m of warm) await handler(m.event).catch(() => undefined);

  const failures: Failure[] = [];
  const perMessage: Slow[] = [];
  const perSet: IngestResult['perSet'] = {};
  const total = { cpuMs: 0, systemCpuMs: 0, wallMs: 0 };
  const before = snapshot();
  const profile = profiler('ingest');
  return {
    async measure({ start, end }): Promise<SliceRequests> {
      await profile.start();
      const requests: number[] = [];
      const cpuStart = process.cpuUsage();
      const wallStart = performance.now();
      for (const m of measured.slice(start, end)) {
        const requestsBefore = requestsSoFar();
        const cpu = process.cpuUsage();
        const t = performance.now();
        try {
          await handler(m.event);
        } catch (error) {
          failures.push({ file: m.file, error: errorText(error) });
        }
        const one = { file: m.file, cpuMs: cpuMs(cpu), wallMs: performance.now() - t, bytes: m.raw.length };
        requests.push(requestsSoFar() - requestsBefore);
        perMessage.push(one);
        const set = (perSet[m.set] ??= { messages: 0, cpuMs: 0, wallMs: 0 });
        set.messages++;
        set.cpuMs += one.cpuMs;
        set.wallMs += one.wallMs;
      }
      total.cpuMs += cpuMs(cpuStart);
      total.systemCpuMs += systemCpuMs(cpuStart);
      total.wallMs += performance.now() - wallStart;
      return { requests };
    },
    async finish(): Promise<IngestResult> {
      await profile.stop();
      const latencies = perMessage.map((m) => m.wallMs).sort((a, b) => a - b);
      return {
        messages: perMessage.length,
        bytes: perMessage.reduce((sum, m) => sum + m.bytes, 0),
        recipients: measured
          .slice(0, perMessage.length)
          .reduce((sum, m) => sum + m.event.Records[0].ses.receipt.recipients.length, 0),
        ...total,
        latencyMs: {
          p50: percentile(latencies, 0.5),
          p95: percentile(latencies, 0.95),
          max: latencies.at(-1) ?? 0,
        },
        batches: spread(batchMeans(perMessage.map((m) => m.cpuMs))),
        perSet,
        ...since(before),
        failures,
        slowest: slowest(perMessage),
        rssMiB: mib(process.memoryUsage().rss),
      };
    },
  };
}

async function parseSession(job: Extract<Job, { kind: 'parse' }>): Promise<Measuring> {
  const { simpleParser } = await import('mailparser');
  const raws = job.messages.map((m) => ({ file: m.file, raw: wireForm(readFileSync(m.file)) }));
  for (const { raw } of cycle(raws, job.warmup)) await simpleParser(raw).catch(() => undefined);
  const failures: Failure[] = [];
  const perMessage: Slow[] = [];
  const total = { cpuMs: 0, wallMs: 0, noFrom: 0, attachments: 0 };
  const profile = profiler('parse');
  return {
    async measure({ start, end }) {
      await profile.start();
      const cpuStart = process.cpuUsage();
      const wallStart = performance.now();
      for (const { file, raw } of raws.slice(start, end)) {
        const cpu = process.cpuUsage();
        const t = performance.now();
        try {
          const mail = await simpleParser(raw);
          if (!mail.from?.value.length) total.noFrom++;
          total.attachments += mail.attachments.length;
        } catch (error) {
          failures.push({ file, error: errorText(error) });
        }
        perMessage.push({ file, cpuMs: cpuMs(cpu), wallMs: performance.now() - t, bytes: raw.length });
      }
      total.cpuMs += cpuMs(cpuStart);
      total.wallMs += performance.now() - wallStart;
      return null;
    },
    async finish(): Promise<ParseResult> {
      await profile.stop();
      // A slow single parse is often a GC pause that landed on it: parse the slowest again (median of 5).
      const again: Slow[] = [];
      for (const slow of slowest(perMessage)) {
        const raw = raws.find((r) => r.file === slow.file)!.raw;
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
          const cpu = process.cpuUsage();
          await simpleParser(raw).catch(() => undefined);
          times.push(cpuMs(cpu));
        }
        again.push({ ...slow, cpuMs: times.sort((a, b) => a - b)[2] });
      }
      // For reference: the options the current ingest passes (no HTML↔text conversion).
      const skipStart = process.cpuUsage();
      for (const { raw } of raws.slice(0, perMessage.length))
        await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true }).catch(
          () => undefined,
        );
      return {
        messages: perMessage.length,
        cpuMs: total.cpuMs,
        wallMs: total.wallMs,
        skipOptionsCpuMs: cpuMs(skipStart),
        batches: spread(batchMeans(perMessage.map((m) => m.cpuMs))),
        failures,
        slowest: slowest(perMessage),
        slowestAgain: again,
        noFrom: total.noFrom,
        attachments: total.attachments,
      };
    },
  };
}

/**
 * A no-op SDK request: GetItem through a default DynamoDB client to the bench's `{}` server, or
 * ('stand-in') to the DynamoDB Local the handler talks to, for a key that is not there.
 */
async function noopRequests(endpoint: string | 'stand-in') {
  const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
  const standIn = endpoint === 'stand-in';
  // The stand-in's endpoint comes from the environment, as the handler's does.
  const client = new DynamoDBClient(standIn ? {} : { endpoint });
  const TableName = standIn ? process.env.TABLE_NAME! : 'noop';
  const Key = { pk: { S: 'BENCH#noop' }, sk: { S: 'none' } };
  const request = () => client.send(new GetItemCommand({ TableName, Key }));
  return { request, destroy: () => client.destroy() };
}

const sum = (numbers: number[] = []) => numbers.reduce((a, b) => a + b, 0);

/** The handler's requests for each slice, made back to back as no-op GetItems. */
async function noopSession(job: Extract<Job, { kind: 'noop' }>): Promise<Measuring> {
  const { request, destroy } = await noopRequests(job.endpoint);
  for (let i = 0; i < job.warmup; i++) await request();
  const total = { requests: 0, cpuMs: 0, systemCpuMs: 0, wallMs: 0 };
  const means: number[] = [];
  const profile = profiler('noop');
  return {
    async measure({ requests }) {
      await profile.start();
      const n = sum(requests);
      const cpuStart = process.cpuUsage();
      const wallStart = performance.now();
      for (let i = 0; i < n; i++) await request();
      const ms = cpuMs(cpuStart);
      total.cpuMs += ms;
      total.systemCpuMs += systemCpuMs(cpuStart);
      total.wallMs += performance.now() - wallStart;
      total.requests += n;
      if (n) means.push(ms / n);
      return null;
    },
    async finish(): Promise<NoopResult> {
      await profile.stop();
      destroy();
      return { ...total, batches: spread(means, Math.round(total.requests / Math.max(1, means.length))) };
    },
  };
}

/**
 * Both floors in one process, message by message: simpleParser(raw), then as many no-op requests
 * as the handler made for that message. Each part is timed on its own. Parsing between requests
 * costs both of them caches and JIT state that the floors measured alone keep to themselves.
 */
async function minimalSession(job: Extract<Job, { kind: 'minimal' }>): Promise<Measuring> {
  const { simpleParser } = await import('mailparser');
  const { request, destroy } = await noopRequests(job.endpoint);
  const raws = job.messages.map((m) => wireForm(readFileSync(m.file)));
  const totals = { messages: 0, parseCpuMs: 0, requests: 0, requestCpuMs: 0 };
  const handle = async (raw: Buffer, requests: number) => {
    const parseStart = process.cpuUsage();
    await simpleParser(raw).catch(() => undefined);
    const parseMs = cpuMs(parseStart);
    const requestStart = process.cpuUsage();
    for (let k = 0; k < requests; k++) await request();
    return { parseMs, requestMs: cpuMs(requestStart) };
  };
  for (const raw of cycle(raws, job.warmup)) await handle(raw, 3);
  const profile = profiler('minimal');
  return {
    async measure({ start, end, requests = [] }) {
      await profile.start();
      for (let i = start; i < end; i++) {
        const n = requests[i - start] ?? 0;
        const { parseMs, requestMs } = await handle(raws[i], n);
        totals.messages++;
        totals.parseCpuMs += parseMs;
        totals.requestCpuMs += requestMs;
        totals.requests += n;
      }
      return null;
    },
    async finish(): Promise<MinimalResult> {
      await profile.stop();
      destroy();
      return totals;
    },
  };
}

async function large(job: Extract<Job, { kind: 'large' }>): Promise<LargeResult> {
  const { runtime, handler, snapshot, since } = await loadHandler();
  void runtime.table; // build the adapters and SDK clients, as a warm container has them
  void runtime.blobs;
  gc();
  const rssAfterLoadMiB = mib(process.memoryUsage().rss);
  const maxRssBeforeIngestMiB = maxRssMiB();
  const before = snapshot();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  let error: string | undefined;
  // What the peak is made of: the fullest of process.memoryUsage() sampled every 2 ms.
  const atPeak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    if (usage.rss > atPeak.rss) Object.assign(atPeak, usage);
  }, 2);
  try {
    await handler(job.event);
  } catch (e) {
    error = errorText(e);
  }
  clearInterval(sampler);
  return {
    rssAfterLoadMiB,
    maxRssBeforeIngestMiB,
    maxRssMiB: maxRssMiB(),
    sampledPeak: {
      rssMiB: mib(atPeak.rss),
      heapUsedMiB: mib(atPeak.heapUsed),
      arrayBuffersMiB: mib(atPeak.arrayBuffers),
    },
    wallMs: performance.now() - wallStart,
    cpuMs: cpuMs(cpuStart),
    requests: since(before).requests,
    error,
  };
}

interface Measuring {
  measure(job: Extract<Job, { kind: 'measure' }>): Promise<unknown>;
  finish(): Promise<unknown>;
}

let session: Measuring | undefined;

async function runJob(job: Job): Promise<unknown> {
  switch (job.kind) {
    case 'ingest':
      session = await ingestSession(job);
      return null;
    case 'parse':
      session = await parseSession(job);
      return null;
    case 'noop':
      session = await noopSession(job);
      return null;
    case 'minimal':
      session = await minimalSession(job);
      return null;
    case 'measure':
      if (!session) throw new Error('measure before set-up');
      return session.measure(job);
    case 'finish':
      if (!session) throw new Error('finish before set-up');
      return session.finish();
    case 'large':
      return large(job);
  }
}

/** Started by the parent with this flag (the file is also imported for its types). */
if (process.argv.includes(WORKER_FLAG)) {
  process.on('message', (job: Job) => {
    const last = job.kind === 'finish' || job.kind === 'large';
    runJob(job)
      .then((result): WorkerReply => ({ ok: true, result }))
      .catch((error: unknown): WorkerReply => ({
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }))
      .then((reply) => process.send!(reply, () => (last || !reply.ok) && process.exit(0)));
  });
}
