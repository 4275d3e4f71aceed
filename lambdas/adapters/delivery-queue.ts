/** One message waiting to go to one domain's primary mail server. */
export interface DeliveryJob {
  sesMessageId: string;
  domain: string;
  /** The domain's accepted envelope recipients: one SMTP transaction for all of them. */
  recipients: string[];
  envelopeSender: string;
  /** ISO time SES received the message; the 14 days count from here. */
  receivedAt: string;
  /** 1 for the first try; a retry carries the number of the try it will be. */
  attempt: number;
  /**
   * ISO time before which the job must not be tried. SQS delays stop at 15 minutes, so a longer
   * wait (a backoff, a rate-limited release) comes back early and is put back until then.
   */
  notBefore?: string;
}

/** The delivery queue (SQS in the cloud), as the domain needs it. */
export interface DeliveryQueue {
  /** Queues the job, visible after `delaySeconds` (the adapter caps it at what it supports). */
  enqueue(job: DeliveryJob, delaySeconds?: number): Promise<void>;
}

export const isDeliveryJob = (value: unknown): value is DeliveryJob => {
  const job = value as Partial<DeliveryJob> | null;
  return (
    typeof job === 'object' &&
    job !== null &&
    typeof job.sesMessageId === 'string' &&
    typeof job.domain === 'string' &&
    Array.isArray(job.recipients) &&
    job.recipients.every((r) => typeof r === 'string') &&
    typeof job.envelopeSender === 'string' &&
    typeof job.receivedAt === 'string' &&
    typeof job.attempt === 'number'
  );
};
