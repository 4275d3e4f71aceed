import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryQueue, QueuedJob } from '../delivery-queue';

/** SQS's longest per-message delay. */
export const MAX_SQS_DELAY_SECONDS = 900;

export const sqsDelaySeconds = (delaySeconds = 0): number =>
  Math.min(MAX_SQS_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds)));

/** The delivery queue on SQS (a standard queue: per-message delays need one). */
export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly queueUrl: string,
    private readonly sqs: SQSClient = new SQSClient({}),
  ) {}

  async enqueue(job: QueuedJob, delaySeconds?: number): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(job),
        DelaySeconds: sqsDelaySeconds(delaySeconds),
      }),
    );
  }
}
