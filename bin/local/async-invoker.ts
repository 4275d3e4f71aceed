import { writeDeadLetter } from './dead-letters';

/**
 * Lambda's asynchronous ("Event") invocation, as the local runtime needs it: the caller does
 * not wait, a failure is retried twice with a growing delay, and an event that still fails is
 * written to the dead-letter directory (the cloud's SQS DLQ), so nothing is dropped.
 */
export class AsyncInvoker<E> {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly name: string,
    private readonly handler: (event: E) => Promise<unknown>,
    private readonly deadLetterDir: string,
    private readonly retryDelaysMs: number[] = [1000, 2000],
  ) {}

  invoke(event: E): void {
    const run = this.run(event).finally(() => this.pending.delete(run));
    this.pending.add(run);
  }

  /** Resolves once every invocation made so far has finished (tests wait on this). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async run(event: E): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.handler(event);
        return;
      } catch (error) {
        const delay = this.retryDelaysMs[attempt];
        console.error(`[${this.name}] attempt ${attempt + 1} failed: ${(error as Error).stack ?? error}`);
        if (delay === undefined) return this.deadLetter(event, error as Error);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private deadLetter(event: E, error: Error): void {
    const file = writeDeadLetter(this.deadLetterDir, { function: this.name, error: String(error), event });
    console.error(`[${this.name}] gave up after retries; the event is kept in ${file} (npm run replay-dlq)`);
  }
}
