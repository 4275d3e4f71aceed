import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeliveryQueue, QueuedJob } from '../../lambdas/adapters/delivery-queue';
import { writeDeadLetter } from './dead-letters';

type Handler = (event: SQSEvent) => Promise<unknown>;

const record = (body: string, receiveCount: number): SQSRecord => ({
  messageId: randomUUID(),
  receiptHandle: randomUUID(),
  body,
  attributes: {
    ApproximateReceiveCount: String(receiveCount),
    SentTimestamp: String(Date.now()),
    SenderId: 'local',
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:xtramail-delivery',
  awsRegion: 'us-east-1',
});

/**
 * The delivery queue in this process, behind the same adapter as SQS: a job becomes visible
 * after its delay and the deliver handler gets it in an SQS-shaped event. One worker takes
 * visible jobs in the order they became visible, so a release arrives in receipt order. A job
 * whose handler fails is tried again (as SQS redelivers) and finally kept as a dead letter.
 */
export class LocalDeliveryQueue implements DeliveryQueue {
  private handler?: Handler;
  private readonly ready: Array<{ body: string; receiveCount: number }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private working?: Promise<void>;
  private waiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly deadLetterDir: string,
    private readonly maxReceives = 3,
    private readonly redeliveryMs = 1000,
  ) {}

  /** The deliver handler; set once the handlers are loaded (jobs queued before wait for it). */
  attach(handler: Handler): void {
    this.handler = handler;
    this.pump();
  }

  async enqueue(job: QueuedJob, delaySeconds = 0): Promise<void> {
    this.later({ body: JSON.stringify(job), receiveCount: 0 }, Math.max(0, delaySeconds) * 1000);
  }

  /** Resolves when no job is waiting, delayed or running (tests wait on this). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops delayed jobs and waits for the running one. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    await this.working;
    this.settle();
  }

  private isIdle(): boolean {
    return this.timers.size === 0 && this.ready.length === 0 && !this.working;
  }

  private settle(): void {
    if (!this.isIdle()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private later(message: { body: string; receiveCount: number }, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.ready.push(message);
      this.pump();
    }, delayMs);
    this.timers.add(timer);
  }

  private pump(): void {
    if (this.working || !this.handler) return;
    const message = this.ready.shift();
    if (!message) return this.settle();
    this.working = this.run(message).finally(() => {
      this.working = undefined;
      this.pump();
    });
  }

  private async run(message: { body: string; receiveCount: number }): Promise<void> {
    const receiveCount = message.receiveCount + 1;
    try {
      const response = (await this.handler!({ Records: [record(message.body, receiveCount)] })) as
        Partial<SQSBatchResponse> | undefined;
      if (response?.batchItemFailures?.length) throw new Error('batch item failure');
    } catch (error) {
      console.error(`[deliver] receive ${receiveCount} failed: ${(error as Error).stack ?? error}`);
      if (receiveCount >= this.maxReceives) {
        const file = writeDeadLetter(this.deadLetterDir, {
          function: 'deliver',
          error: String(error),
          event: JSON.parse(message.body) as unknown,
        });
        console.error(`[deliver] gave up; the job is kept in ${file}`);
        return;
      }
      this.later({ body: message.body, receiveCount }, this.redeliveryMs);
    }
  }
}
