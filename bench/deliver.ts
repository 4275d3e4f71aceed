/**
 * `npm run bench -- deliver [--limit N]`: Mail Flow delivery to a local SMTP server (a real
 * smtp-server sink), N messages (default 500), on the local stand-ins.
 * - deliver: the deliver handler is called with SQS-shaped batches of 10 (the event source's
 *   batch size), in sequence, each job relaying the stored raw message over SMTP and updating its
 *   log entry and the domain's status: messages/s and batch latency.
 * - release: N messages held while the domain is paused, then released at once (no rate limit):
 *   the release walk's messages/s, and the release-order check, which compares the order the SMTP
 *   server received them in with their receipt order.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { SQSEvent } from 'aws-lambda';
import type { TestStack } from '../test/support/local-stack';
import { startSmtpSink, subjectOf } from '../test/support/smtp-sink';
import type { BenchOptions } from './args';

const DOMAIN = 'deliver-bench.test';
const DEFAULT_MESSAGES = 500;
const BATCH = 10;
/** A typical text message, as the intake benchmark sends. */
const BODY = 'Lorem ipsum dolor sit amet. '.repeat(400);

const rawMessage = (subject: string) =>
  Buffer.from(
    `From: bench@sender.test\r\nTo: ann@${DOMAIN}\r\nSubject: ${subject}\r\n` +
      `Message-ID: <${randomUUID()}@sender.test>\r\n\r\n${BODY}\r\n`,
  );

const sqsEvent = (bodies: unknown[]): SQSEvent => ({
  Records: bodies.map((body) => ({
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body: JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'bench',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:xtramail-delivery',
    awsRegion: 'us-east-1',
  })),
});

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

export async function deliverBenchmark(
  stack: TestStack,
  options: BenchOptions,
  print: (line: string) => void,
): Promise<void> {
  const count = options.limit ?? DEFAULT_MESSAGES;
  const [{ runtime }, deliver, domains, manage, held, logs, receipt] = await Promise.all([
    import('../lambdas/handlers/runtime'),
    import('../lambdas/handlers/deliver'),
    import('../lambdas/core/domains/domains'),
    import('../lambdas/core/mail-flow/manage'),
    import('../lambdas/core/mail-flow/held'),
    import('../lambdas/core/entities/log-entry'),
    import('../lambdas/core/ingest/receipt'),
  ]);
  const sink = await startSmtpSink();
  const releasePerMinute = process.env.MAIL_FLOW_RELEASE_PER_MINUTE;
  try {
    await domains.createDomain(runtime, DOMAIN);
    await domains.setXtraMail(runtime, DOMAIN, true);
    const destination = { host: '127.0.0.1', port: sink.port, tls: 'opportunistic' as const };
    const settings = (inbound: 'deliver' | 'paused') => ({ inbound, destination, goodThreshold: 0.9 });
    await manage.setMailFlow(runtime, DOMAIN, settings('deliver'));

    /** Stores the raw message and its log entry, as intake leaves them; returns the job. */
    const received = async (label: string, i: number, receivedAt: Date) => {
      const sesMessageId = `bench-${label}-${String(i).padStart(6, '0')}-${randomUUID().slice(0, 8)}`;
      const subject = `${label} ${i}`;
      const raw = rawMessage(subject);
      await runtime.blobs.put(receipt.rawMailKey(sesMessageId), raw, 'message/rfc822');
      await runtime.table.put(
        logs.logEntryToItem({
          sesMessageId,
          receivedAt,
          envelopeSender: 'bench@sender.test',
          recipient: `ann@${DOMAIN}`,
          from: 'bench@sender.test',
          subject,
          size: raw.length,
          verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
          action: 'snapshot',
        }),
      );
      return {
        sesMessageId,
        subject,
        size: raw.length,
        job: {
          sesMessageId,
          domain: DOMAIN,
          recipients: [`ann@${DOMAIN}`],
          envelopeSender: 'bench@sender.test',
          receivedAt: receivedAt.toISOString(),
          attempt: 1,
        },
      };
    };

    // Phase 1: the deliver handler on SQS batches.
    const jobs = [];
    const base = runtime.clock.now().getTime();
    for (let i = 0; i < count; i++) jobs.push(await received('deliver', i, new Date(base + i)));
    const batchMs: number[] = [];
    const started = performance.now();
    for (let i = 0; i < jobs.length; i += BATCH) {
      const t = performance.now();
      const answer = await deliver.handler(sqsEvent(jobs.slice(i, i + BATCH).map((j) => j.job)));
      if ('batchItemFailures' in answer && answer.batchItemFailures.length > 0)
        throw new Error(`deliver reported ${answer.batchItemFailures.length} failures`);
      batchMs.push(performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    const sorted = [...batchMs].sort((a, b) => a - b);
    const deliveredOnce =
      sink.received.length === count && new Set(sink.received.map((m) => subjectOf(m.raw))).size === count;
    print(
      `deliver: ${count} messages (~${Math.round(jobs[0].size / 1024)} KB, 1 recipient) through the deliver handler ` +
        `in SQS batches of ${BATCH}, to a local smtp-server over a pooled connection`,
    );
    print(`  ${(count / seconds).toFixed(1)} messages/s, ${seconds.toFixed(2)} s total`);
    print(
      `  batch latency: p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p95 ${percentile(sorted, 0.95).toFixed(1)} ms`,
    );
    print(`  received by the SMTP server exactly once each: ${deliveredOnce ? 'yes' : 'NO'}`);

    // Phase 2: hold while paused, then release everything at once.
    sink.received.length = 0;
    await manage.setMailFlow(runtime, DOMAIN, settings('paused'));
    const heldOnes = [];
    const heldBase = runtime.clock.now().getTime();
    for (let i = 0; i < count; i++) {
      // Receipt order is not id order: ids are numbered backwards.
      const one = await received('release', count - i, new Date(heldBase + i));
      await runtime.table.put(
        held.heldToItem({
          domain: DOMAIN,
          receivedAt: new Date(one.job.receivedAt),
          sesMessageId: one.sesMessageId,
          envelopeFrom: 'bench@sender.test',
          recipients: one.job.recipients,
          rawKey: receipt.rawMailKey(one.sesMessageId),
          size: one.size,
        }),
      );
      heldOnes.push(one);
    }
    process.env.MAIL_FLOW_RELEASE_PER_MINUTE = String(count);
    const releaseStarted = performance.now();
    const { released } = await manage.setMailFlow(runtime, DOMAIN, settings('deliver'));
    const again = await manage.releaseHeld(runtime, DOMAIN, { all: true });
    await stack.deliveryIdle();
    const releaseSeconds = (performance.now() - releaseStarted) / 1000;
    const expected = heldOnes.map((one) => one.subject);
    const got = sink.received.map((m) => subjectOf(m.raw));
    const firstOutOfOrder = got.findIndex((subject, i) => subject !== expected[i]);
    const inOrder = got.length === expected.length && firstOutOfOrder === -1;
    print(
      `release: ${count} held messages released on resume (rate limit lifted), delivered by the release walk`,
    );
    print(
      `  ${(count / releaseSeconds).toFixed(1)} messages/s, ${releaseSeconds.toFixed(2)} s from resume to the last delivery`,
    );
    print(`  released ${released}, a second release ${again.released}; SMTP server received ${got.length}`);
    print(
      `  release order check: ${
        inOrder
          ? `OK, all ${count} in receipt order, none twice`
          : `FAILED at position ${firstOutOfOrder} (${got.length} received, ${new Set(got).size} distinct)`
      }`,
    );
  } finally {
    if (releasePerMinute === undefined) delete process.env.MAIL_FLOW_RELEASE_PER_MINUTE;
    else process.env.MAIL_FLOW_RELEASE_PER_MINUTE = releasePerMinute;
    await sink.stop();
  }
}
