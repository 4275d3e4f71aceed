/**
 * `npm run bench [-- name… [--limit N] [--warmup N] [--rcpt one|headers|both]]`: prints figures
 * measured on the local stack. Never pass/fail.
 * Benchmarks: intake (SMTP → S3 → ingest → DynamoDB), sign-in (scrypt + JWT over HTTP),
 * ingest (the ingest handler over a corpus of real mail: throughput, CPU against its floors,
 * AWS requests per message, peak memory on a 40 MB message; see bench/ingest.ts), api (the portal
 * API under autocannon load on a 5,000-message mailbox, AWS requests per call; see bench/api.ts),
 * deliver (Mail Flow to a local SMTP server: the deliver handler's messages/s and a released
 * backlog's, with the release-order check; `--limit N` messages, default 500; see bench/deliver.ts).
 */
import { performance } from 'node:perf_hooks';
import { startTestStack, TEST_ADMIN, type TestStack } from '../test/support/local-stack';
import { smtpClient } from '../test/support/smtp-client';
import { apiBenchmark } from './api';
import { parseBenchArgs, type BenchOptions } from './args';
import { deliverBenchmark } from './deliver';
import { ingestBenchmark } from './ingest';

/** Figures go straight to stdout: console.log is silenced while a benchmark runs. */
const print = (line: string) => process.stdout.write(`${line}\n`);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const summary = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p95 ${percentile(sorted, 0.95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`;
};

const benchmarks: Record<string, (stack: TestStack, options: BenchOptions) => Promise<void>> = {
  async intake(stack) {
    const messages = 200;
    const smtp = smtpClient(stack.smtpPort);
    const body = 'Lorem ipsum dolor sit amet. '.repeat(400); // ~11 KB, a typical text message
    const started = performance.now();
    const accepted: number[] = [];
    for (let i = 0; i < messages; i++) {
      const t = performance.now();
      await smtp.send({
        from: 'bench@sender.test',
        to: [`u${i % 20}@bench.test`, 'all@bench.test'],
        subject: `Bench ${i}`,
        text: body,
      });
      accepted.push(performance.now() - t);
    }
    await stack.ingestIdle();
    const seconds = (performance.now() - started) / 1000;
    smtp.close();
    print(
      `intake: ${messages} messages × 2 recipients, ~11 KB each, sequential over one pooled SMTP connection`,
    );
    print(
      `  end to end (accepted → logged): ${(messages / seconds).toFixed(1)} messages/s, ${seconds.toFixed(2)} s total`,
    );
    print(`  SMTP accept latency: ${summary(accepted)}`);
    print(`  process RSS after: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  },
  async 'sign-in'(stack) {
    const rounds = 20;
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      const response = await fetch(`${stack.webUrl}/api/console/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(TEST_ADMIN),
      });
      if (response.status !== 200) throw new Error(`sign-in answered ${response.status}`);
      times.push(performance.now() - t);
    }
    print(`sign-in: ${rounds} console sign-ins over HTTP (scrypt N=2^15 verify + JWT)`);
    print(`  latency: ${summary(times)}`);
  },
  ingest: (stack, options) => ingestBenchmark(stack, options, print),
  api: (stack, options) => apiBenchmark(stack, options, print),
  deliver: (stack, options) => deliverBenchmark(stack, options, print),
};

async function main() {
  const args = parseBenchArgs(process.argv.slice(2));
  const names = args.names.length ? args.names : Object.keys(benchmarks);
  const unknown = names.filter((name) => !benchmarks[name]);
  if (unknown.length)
    throw new Error(`Unknown benchmark ${unknown.join(', ')}; have: ${Object.keys(benchmarks).join(', ')}`);
  const stack = await startTestStack();
  const log = console.log;
  try {
    for (const name of names) {
      console.log = () => undefined; // the handlers' structured logs would drown the figures
      const run = benchmarks[name](stack, args.options);
      await run.finally(() => (console.log = log));
    }
  } finally {
    console.log = log;
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
