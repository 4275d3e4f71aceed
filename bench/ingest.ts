/**
 * `npm run bench -- ingest [--limit N] [--rcpt one|headers|both] [--node MAJOR|lambda]`: the
 * ingest handler over a corpus of real mail (test/support/corpus.ts), on the local stand-ins.
 *
 * Every measurement runs in a child process of its own (bench/ingest-worker.ts), so its CPU
 * time is the measured code's only: s3rver runs in this process, DynamoDB Local in Java. Each
 * child runs the worker bundled as the function is deployed (minified, SDK inside, source maps),
 * with INFO logs and EMF metrics on, on this Node.js or the one `--node` names. The children
 * warm up one after another, then take turns on slices of 200 messages: the handler's CPU per
 * slice varies by 2× with what the slice holds, and the machine's speed drifts, so each floor
 * is measured on the same slices at nearly the same time.
 * BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile of each measured phase (bundle unminified).
 * - ingest: each raw message is stored at incoming/<id> first (not timed), then the handler is
 *   called once per message, in sequence (timed): messages/s, CPU ms per message, AWS requests
 *   per message by command.
 * - floors, same corpus, same run: bare `simpleParser` CPU per message, and the client CPU of one
 *   no-op SDK request (DynamoDB GetItem against a local server answering `{}`). Target:
 *   ours ≤ 1.2 × (simpleParser + requests per message × no-op request). Measured twice: each
 *   alone in its own process, and together as a minimal handler (per message: parse, then
 *   the requests). For comparison, not as a floor: the same request against DynamoDB Local,
 *   the server the handler's requests go to, shows what a real server's latency does to the
 *   client's CPU per request.
 * - large: peak RSS of a fresh process ingesting one generated 40 MB message (5 attachments).
 */
import { fork } from 'node:child_process';
import { INGEST_NODE_FLAGS } from '../lib/ingest-tuning';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { TestStack } from '../test/support/local-stack';
import { CORPUS_SOURCES, corpusManifests, ensureCorpus } from '../test/support/corpus';
import type { BenchOptions } from './args';
import type {
  BatchSpread,
  CorpusMessage,
  IngestResult,
  Job,
  LargeResult,
  MinimalResult,
  NoopResult,
  ParseResult,
  RecipientMode,
  SliceRequests,
  WorkerReply,
} from './ingest-worker';
import { WORKER_FLAG } from './ingest-worker';
import { nodeRuntime, type NodeRuntime } from './node-runtime';

const DOMAIN = 'bench.test';
const USERS = 50;
/** Messages per measured slice; the workers take turns slice by slice. */
const SLICE = 200;
/**
 * Invocations before measuring (messages cycled as needed, fresh ids), so every figure is the
 * steady state of a busy container: measured here, bare simpleParser takes ~2,500 parses and the
 * no-op SDK request ~5,000 requests to settle, at about a third of their CPU when cold.
 */
const DEFAULT_WARMUP = 3000;
/** No-op requests before measuring, per warm-up invocation (≈ the handler's requests/message). */
const NOOP_WARMUP_PER_INVOCATION = 2;
const TARGET_FACTOR = 1.2;
const WORKER_TIMEOUT_MS = 10 * 60_000;

const repoRoot = path.resolve(__dirname, '..');
const fixed = (n: number, digits = 2) => n.toFixed(digits);
const thousands = (n: number) => n.toLocaleString('en-US');
const relative = (file: string) => path.relative(repoRoot, file);

const WORKER_SOURCE = path.join(__dirname, 'ingest-worker.ts');

/**
 * The worker bundled by esbuild as lib/lambda-defaults.ts bundles a function (module entry points,
 * the AWS SDK inside, minified, source maps), in CommonJS for the IPC child: plain `node` runs it
 * without the tsx loader (~20 MiB of RSS a Lambda does not have).
 */
async function bundleWorker(): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = path.join(repoRoot, '.cache/bench/ingest-worker.cjs');
  await build({
    entryPoints: [WORKER_SOURCE],
    outfile,
    bundle: true,
    sourcemap: true,
    sourcesContent: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    // Minified as lib/lambda-defaults.ts ships every function; kept readable for a CPU profile.
    minify: !process.env.BENCH_CPU_PROFILE,
    logLevel: 'error',
  });
  return outfile;
}

interface Worker {
  /** Sends one job and waits for its reply. */
  run<T>(job: Job): Promise<T>;
  kill(): void;
}

/**
 * A fresh child with this process's environment (the stand-ins'), running the worker source
 * under `node --import tsx`, or a bundle of it under plain node. It takes jobs one at a time.
 */
function startWorker(node: NodeRuntime, bundle?: string): Worker {
  const child = fork(bundle ?? WORKER_SOURCE, [WORKER_FLAG], {
    cwd: repoRoot,
    execPath: node.execPath,
    // Logs and metrics as deployed: the test stack turns INFO logs and EMF lines off.
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'false' },
    execArgv: [
      ...(bundle ? ['--expose-gc'] : ['--import', 'tsx', '--expose-gc']),
      // Every function runs with source maps on (lib/lambda-defaults.ts); they cost memory at load.
      '--enable-source-maps',
      // The flags the ingest Lambda runs with (lib/ingest-tuning.ts), so memory is measured as deployed.
      ...INGEST_NODE_FLAGS,
    ],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-8000)));
  let pending:
    { kind: Job['kind']; resolve: (result: unknown) => void; reject: (error: Error) => void } | undefined;
  const fail = (why: string) => {
    pending?.reject(new Error(`bench worker (${pending.kind}) failed: ${why}\n${stderr.trim()}`));
    pending = undefined;
  };
  const timer = setTimeout(() => child.kill('SIGKILL'), WORKER_TIMEOUT_MS);
  child.on('message', (message) => {
    const reply = message as WorkerReply;
    if (reply.ok) pending?.resolve(reply.result);
    else fail(reply.error);
    pending = undefined;
  });
  child.once('error', (error) => fail(error.message));
  child.once('exit', (code, signal) => {
    clearTimeout(timer);
    fail(`exit ${code ?? signal}`);
  });
  return {
    run: <T>(job: Job) =>
      new Promise<T>((resolve, reject) => {
        pending = { kind: job.kind, resolve: resolve as (result: unknown) => void, reject };
        child.send(job);
      }),
    kill: () => child.kill('SIGKILL'),
  };
}

/** A server that answers every request as DynamoDB would an empty GetItem: `{}`. */
async function startNoopServer() {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': 'bench-noop',
        'content-length': '2',
      });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** All messages in set order; with a limit, an evenly spaced sample (so every set is represented). */
function selectMessages(sets: Record<string, string[]>, limit?: number): CorpusMessage[] {
  const all = CORPUS_SOURCES.flatMap(({ set }) => (sets[set] ?? []).map((file) => ({ set, file })));
  if (!limit || limit >= all.length) return all;
  return Array.from({ length: limit }, (_, i) => all[Math.floor((i * all.length) / limit)]);
}

/** One ~40 MB message (under SES's 40 MiB cap): text + HTML and 5 random attachments of 6 MB. */
async function largeMessage(): Promise<Buffer> {
  const { MAX_MESSAGE_BYTES } = await import('../bin/local/smtp-receiver');
  const paragraph = 'The quarterly figures are attached; see the notes below for the details. ';
  const text = Array.from({ length: 300 }, (_, i) => `${i + 1}. ${paragraph}`).join('\n');
  const html = `<html><body>${Array.from({ length: 300 }, (_, i) => `<p><b>${i + 1}.</b> ${paragraph}</p>`).join('')}</body></html>`;
  const kinds = [
    ['report.pdf', 'application/pdf'],
    ['photos.zip', 'application/zip'],
    ['scan.jpg', 'image/jpeg'],
    ['budget.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['recording.m4a', 'audio/mp4'],
  ];
  const composer = new MailComposer({
    from: 'Carol Sender <carol@partner.example>',
    to: `user0@${DOMAIN}, user1@${DOMAIN}`,
    subject: 'Quarterly pack (large attachments)',
    date: new Date(),
    messageId: `<large-${randomBytes(8).toString('hex')}@partner.example>`,
    text,
    html,
    attachments: kinds.map(([filename, contentType]) => ({
      filename,
      contentType,
      content: randomBytes(6_000_000),
    })),
  });
  const raw = await composer.compile().build();
  if (raw.length > MAX_MESSAGE_BYTES)
    throw new Error(`large message is ${raw.length} bytes, over the SES cap`);
  return raw;
}

interface Setup {
  put(id: string, raw: Buffer): Promise<void>;
  sesEvent: typeof import('../bin/local/smtp-receiver').sesEvent;
}

/** bench.test managed, XtraMail on (before any message's receipt time), users user0…user49. */
async function setUp(): Promise<Setup> {
  // Imported only now: the handlers read the environment that startTestStack set.
  const [{ runtime }, domains, { putUser }, { rawMailKey }, { sesEvent }] = await Promise.all([
    import('../lambdas/handlers/runtime'),
    import('../lambdas/core/domains/domains'),
    import('../lambdas/core/users/users'),
    import('../lambdas/core/ingest/receipt'),
    import('../bin/local/smtp-receiver'),
  ]);
  if (!(await domains.getDomain(runtime, DOMAIN))) await domains.createDomain(runtime, DOMAIN);
  await domains.setXtraMail(runtime, DOMAIN, true);
  for (let i = 0; i < USERS; i++) await putUser(runtime, `user${i}@${DOMAIN}`, 'user');
  return {
    put: (id, raw) => runtime.blobs.put(rawMailKey(id), raw, 'message/rfc822'),
    sesEvent,
  };
}

const requestLines = (requests: Record<string, number>, messages: number) =>
  Object.entries(requests)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name.replace(/Command$/, '')} ${fixed(n / messages)}`)
    .join(', ') || 'none';

const spreadText = (b: BatchSpread) =>
  `batches of ${b.size}: min ${fixed(b.min, 3)}, median ${fixed(b.median, 3)}, max ${fixed(b.max, 3)}; in order ${b.inOrder.map((mean) => fixed(mean)).join(' ')}`;

const totalOf = (requests: Record<string, number>) => Object.values(requests).reduce((a, b) => a + b, 0);

export async function ingestBenchmark(
  _stack: TestStack,
  options: BenchOptions,
  print: (line: string) => void,
): Promise<void> {
  const corpus = await ensureCorpus();
  const messages = selectMessages(corpus.sets, options.limit);
  const bySet = Object.entries(
    messages.reduce<Record<string, number>>((acc, m) => ({ ...acc, [m.set]: (acc[m.set] ?? 0) + 1 }), {}),
  );
  const versions = corpusManifests(corpus.root).map((m) => `${m.package} ${m.version}`);
  const warmup = options.warmup ?? DEFAULT_WARMUP;
  const setup = await setUp();
  const modes: RecipientMode[] = options.rcpt === 'both' ? ['one', 'headers'] : [options.rcpt];

  let bundled: string | undefined;
  let bundleError: string | undefined;
  try {
    bundled = await bundleWorker();
  } catch (error) {
    bundleError = error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
  const node = await nodeRuntime(options.node);
  const noopServer = await startNoopServer();
  let floors: { parse: ParseResult; noop: NoopResult; noopStandIn: NoopResult } | undefined;
  const runs: Array<{ mode: RecipientMode; result: IngestResult; minimal: MinimalResult }> = [];
  const workers: Worker[] = [];
  const worker = () => {
    const started = startWorker(node, bundled);
    workers.push(started);
    return started;
  };
  try {
    for (const mode of modes) {
      // Set up one after another (each warms up alone), then measured slice by slice in turn.
      const ingest = worker();
      await ingest.run({ kind: 'ingest', messages, recipients: mode, warmup });
      const minimal = worker();
      await minimal.run({ kind: 'minimal', messages, endpoint: noopServer.endpoint, warmup });
      const alone = floors ? undefined : { parse: worker(), noop: worker(), noopStandIn: worker() };
      await alone?.parse.run({ kind: 'parse', messages, warmup });
      for (const [noop, endpoint] of [
        [alone?.noop, noopServer.endpoint],
        [alone?.noopStandIn, 'stand-in'],
      ] as const)
        await noop?.run({ kind: 'noop', endpoint, warmup: NOOP_WARMUP_PER_INVOCATION * warmup });
      for (let start = 0; start < messages.length; start += SLICE) {
        const end = Math.min(messages.length, start + SLICE);
        const { requests } = await ingest.run<SliceRequests>({ kind: 'measure', start, end });
        await minimal.run({ kind: 'measure', start, end, requests });
        await alone?.parse.run({ kind: 'measure', start, end });
        await alone?.noop.run({ kind: 'measure', start, end, requests });
        await alone?.noopStandIn.run({ kind: 'measure', start, end, requests });
      }
      runs.push({
        mode,
        result: await ingest.run<IngestResult>({ kind: 'finish' }),
        minimal: await minimal.run<MinimalResult>({ kind: 'finish' }),
      });
      if (alone)
        floors = {
          parse: await alone.parse.run<ParseResult>({ kind: 'finish' }),
          noop: await alone.noop.run<NoopResult>({ kind: 'finish' }),
          noopStandIn: await alone.noopStandIn.run<NoopResult>({ kind: 'finish' }),
        };
    }
  } finally {
    for (const started of workers) started.kill();
    await noopServer.stop();
  }
  const { parse, noop, noopStandIn } = floors!;

  const raw = await largeMessage();
  const largeId = randomBytes(20).toString('hex');
  await setup.put(largeId, raw); // not in the child: its peak RSS is the handler's alone
  const largeEvent = setup.sesEvent(
    largeId,
    raw,
    'carol@partner.example',
    [`user0@${DOMAIN}`, `user1@${DOMAIN}`],
    new Date(),
  );
  const large = await startWorker(node, bundled).run<LargeResult>({ kind: 'large', event: largeEvent });
  const loader = bundled
    ? `esbuild bundle, plain node ${node.version}`
    : `tsx loader (bundling failed: ${bundleError})`;

  // ---- report
  const parseMs = parse.cpuMs / parse.messages;
  const noopMs = noop.cpuMs / noop.requests;
  const noopStandInMs = noopStandIn.cpuMs / noopStandIn.requests;
  const main = runs[0].result;
  print(
    `ingest: ${thousands(main.messages)} real messages (${bySet.map(([s, n]) => `${s} ${thousands(n)}`).join(', ')}), ${fixed(main.bytes / 2 ** 20, 1)} MiB in wire form (CRLF); ${warmup} warm-up invocations first (not counted); workers on Node.js ${node.version}`,
  );
  print(`  corpus: ${relative(corpus.root)} from ${versions.join(', ')}`);
  print(
    `  recipients on ${DOMAIN} (XtraMail on, ${USERS} users): ${modes.map((m) => (m === 'one' ? 'one = user<N % 50>' : 'headers = To/Cc mapped onto user0…49 + guest0…9 (not users), ≤ 10')).join('; ')}`,
  );
  for (const { mode, result } of runs) {
    const n = result.messages;
    const perMessage = result.cpuMs / n;
    print(`  [rcpt ${mode}] ${fixed(result.recipients / n)} recipients/message`);
    print(
      `    end to end through the handler: ${fixed(n / (result.wallMs / 1000), 1)} messages/s (${fixed(result.wallMs / 1000, 1)} s; latency p50 ${fixed(result.latencyMs.p50, 1)} ms, p95 ${fixed(result.latencyMs.p95, 1)} ms, max ${fixed(result.latencyMs.max, 1)} ms)`,
    );
    print(
      `    handler CPU: ${fixed(perMessage, 3)} ms/message, of which ${fixed(result.systemCpuMs / n, 3)} in the kernel (child process: no s3rver, no DynamoDB Local; ${spreadText(result.batches)})`,
    );
    print(
      `    AWS requests/message: ${fixed(totalOf(result.requests) / n)} (${requestLines(result.requests, n)}); HTTP requests seen by node:http ${fixed(result.httpRequests / n)}/message; DynamoDB items written ${fixed(result.itemsWritten / n)}/message`,
    );
    print(
      `    CPU by set: ${Object.entries(result.perSet)
        .map(([set, s]) => `${set} ${fixed(s.cpuMs / s.messages, 2)} ms`)
        .join(', ')}`,
    );
    print(`    failures (handler threw): ${result.failures.length}`);
    for (const f of result.failures.slice(0, 5)) print(`      ${relative(f.file)}: ${f.error}`);
    print(
      `    heaviest single invocations (may include a GC pause): ${result.slowest.map((s) => `${path.basename(s.file)} ${fixed(s.cpuMs, 1)} ms CPU (${thousands(s.bytes)} B)`).join(', ')}`,
    );
  }

  print(`floors (same corpus, this run), each alone in its own child process:`);
  print(
    `  bare simpleParser(raw): ${fixed(parseMs, 3)} ms CPU/message (${fixed(parse.messages / (parse.wallMs / 1000), 0)} messages/s; ${spreadText(parse.batches)}); with skipHtmlToText/skipTextToHtml/skipImageLinks: ${fixed(parse.skipOptionsCpuMs / parse.messages, 3)} ms`,
  );
  print(
    `    mailparser threw on ${parse.failures.length} message(s); ${parse.noFrom} parsed with no From; ${thousands(parse.attachments)} attachments in all`,
  );
  for (const f of parse.failures.slice(0, 5)) print(`      ${relative(f.file)}: ${f.error}`);
  print(
    `    slowest to parse (ms CPU: in the run → median of 5 more): ${parse.slowest.map((s, i) => `${path.basename(s.file)} ${fixed(s.cpuMs, 1)} → ${fixed(parse.slowestAgain[i]?.cpuMs ?? NaN, 1)} (${thousands(s.bytes)} B)`).join(', ')}`,
  );
  print(
    `  one no-op SDK request (DynamoDB GetItem, local server answering {}): ${fixed(noopMs, 3)} ms CPU/request, of which ${fixed(noop.systemCpuMs / noop.requests, 3)} in the kernel (N=${noop.requests} after ${thousands(NOOP_WARMUP_PER_INVOCATION * warmup)} warm-up requests; ${fixed(noop.requests / (noop.wallMs / 1000), 0)} requests/s; ${spreadText(noop.batches)})`,
  );
  print(
    `  the same no-op request against the stand-in (GetItem of a missing key from DynamoDB Local, as the handler's requests go; not the issue's floor): ${fixed(noopStandInMs, 3)} ms CPU/request (${fixed(noopStandInMs / noopMs)} × the no-op server's), of which ${fixed(noopStandIn.systemCpuMs / noopStandIn.requests, 3)} in the kernel (${fixed(noopStandIn.requests / (noopStandIn.wallMs / 1000), 0)} requests/s; ${spreadText(noopStandIn.batches)})`,
  );
  for (const { mode, minimal } of runs)
    print(
      `  [rcpt ${mode}] both together, as a minimal handler (one child process; per message simpleParser(raw), then as many no-op requests as the handler made for it): simpleParser ${fixed(minimal.parseCpuMs / minimal.messages, 3)} ms/message, no-op request ${fixed(minimal.requestCpuMs / minimal.requests, 3)} ms/request`,
    );
  const targets = runs.map(({ mode, result, minimal }) => {
    const requestsPerMessage = totalOf(result.requests) / result.messages;
    const ours = result.cpuMs / result.messages;
    const alone = parseMs + requestsPerMessage * noopMs;
    const together = (minimal.parseCpuMs + minimal.requestCpuMs) / minimal.messages;
    const standIn = parseMs + requestsPerMessage * noopStandInMs;
    return { mode, requestsPerMessage, ours, alone, together, standIn };
  });
  const verdict = (ratio: number) =>
    `${fixed(ratio)} × floor: ${ratio <= TARGET_FACTOR ? 'within' : 'over'} target`;
  for (const t of targets) {
    print(
      `target [rcpt ${t.mode}]: ours ≤ ${TARGET_FACTOR} × (simpleParser + ${fixed(t.requestsPerMessage)} requests/message × no-op request); ours ${fixed(t.ours, 3)} ms/message`,
    );
    print(
      `  floors measured alone: ${fixed(parseMs, 3)} + ${fixed(t.requestsPerMessage)} × ${fixed(noopMs, 3)} = ${fixed(t.alone, 3)} ms → ${verdict(t.ours / t.alone)}`,
    );
    print(`  floors measured together: ${fixed(t.together, 3)} ms → ${verdict(t.ours / t.together)}`);
    print(
      `  (for comparison, requests priced against the stand-in: ${fixed(parseMs, 3)} + ${fixed(t.requestsPerMessage)} × ${fixed(noopStandInMs, 3)} = ${fixed(t.standIn, 3)} ms → ${fixed(t.ours / t.standIn)} ×)`,
    );
  }

  print(
    `large message: ${fixed(raw.length / 2 ** 20, 1)} MiB (5 random attachments of 6,000,000 B + text + HTML), 2 recipients, fresh child process`,
  );
  print(
    `  RSS after loading the handler (${loader}): ${fixed(large.rssAfterLoadMiB, 0)} MiB (peak so far ${fixed(large.maxRssBeforeIngestMiB, 0)} MiB)`,
  );
  print(
    `  peak RSS (VmHWM) after ingesting it: ${fixed(large.maxRssMiB, 0)} MiB = ${fixed((large.maxRssMiB * 2 ** 20) / 1e6, 0)} MB (+${fixed(large.maxRssMiB - large.rssAfterLoadMiB, 0)} MiB); at the fullest 2 ms sample: heap used ${fixed(large.sampledPeak.heapUsedMiB, 0)} MiB, array buffers ${fixed(large.sampledPeak.arrayBuffersMiB, 0)} MiB; ${fixed(large.wallMs, 0)} ms wall, ${fixed(large.cpuMs, 0)} ms CPU; requests: ${requestLines(large.requests, 1)}${large.error ? `; FAILED: ${large.error}` : ''}`,
  );

  print(
    `BENCH_JSON ${JSON.stringify({
      benchmark: 'ingest',
      corpus: {
        messages: main.messages,
        bytes: main.bytes,
        sets: Object.fromEntries(bySet),
        packages: versions,
      },
      runs: runs.map(({ mode, result }) => ({
        rcpt: mode,
        messages: result.messages,
        recipientsPerMessage: result.recipients / result.messages,
        messagesPerSecond: result.messages / (result.wallMs / 1000),
        wallSeconds: result.wallMs / 1000,
        latencyMs: result.latencyMs,
        cpuMsPerMessage: result.cpuMs / result.messages,
        cpuMsPerMessageBatches: result.batches,
        requestsPerMessage: totalOf(result.requests) / result.messages,
        requests: result.requests,
        httpRequests: result.httpRequests,
        itemsWrittenPerMessage: result.itemsWritten / result.messages,
        cpuMsPerMessageBySet: Object.fromEntries(
          Object.entries(result.perSet).map(([set, s]) => [set, s.cpuMs / s.messages]),
        ),
        failures: result.failures.length,
      })),
      floors: {
        simpleParserCpuMsPerMessage: parseMs,
        simpleParserBatches: parse.batches,
        simpleParserSkipOptionsCpuMsPerMessage: parse.skipOptionsCpuMs / parse.messages,
        simpleParserFailures: parse.failures.length,
        noOpRequestCpuMs: noopMs,
        noOpRequestBatches: noop.batches,
        noOpRequests: noop.requests,
        noOpWarmupRequests: NOOP_WARMUP_PER_INVOCATION * warmup,
        noOpRequestAgainstStandInCpuMs: noopStandInMs,
        noOpRequestAgainstStandInBatches: noopStandIn.batches,
        together: runs.map(({ mode, minimal }) => ({
          rcpt: mode,
          simpleParserCpuMsPerMessage: minimal.parseCpuMs / minimal.messages,
          noOpRequestCpuMs: minimal.requestCpuMs / minimal.requests,
          requests: minimal.requests,
        })),
      },
      node: node.version,
      warmupInvocations: warmup,
      target: targets.map((t) => ({
        rcpt: t.mode,
        factor: TARGET_FACTOR,
        oursMs: t.ours,
        floorAloneMs: t.alone,
        ratioAlone: t.ours / t.alone,
        floorTogetherMs: t.together,
        ratioTogether: t.ours / t.together,
        floorStandInMs: t.standIn,
        ratioStandIn: t.ours / t.standIn,
      })),
      large: { bytes: raw.length, loader: bundled ? 'esbuild-bundle' : 'tsx', ...large },
    })}`,
  );
}
