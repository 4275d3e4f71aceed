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
  /** Released from a pause by an admin: delivered even while the domain is (again) paused. */
  released?: boolean;
}

/**
 * One step of a domain's release walk (lambdas/core/mail-flow/release-walk.ts): delivers the
 * held mail an admin released, in receipt order. `token` names the lease a continuation was
 * handed; the first job of a walk has none.
 */
export interface ReleaseWalkJob {
  kind: 'release-walk';
  domain: string;
  token?: string;
}

/**
 * Mails invitation or fire-drill links to up to 25 users of one domain, for a selection too large
 * to mail within an HTTP request (lambdas/core/invitations/link-job.ts). `jobId` names the
 * job's progress, so a redelivered job skips the addresses it already handled.
 */
export interface SendLinksJob {
  kind: 'send-links';
  jobId: string;
  domain: string;
  purpose: 'invite' | 'drill';
  drillId?: string;
  addresses: string[];
}

/**
 * Tells users of backup-address changes an admin imported, too many to mail within the request
 * (lambdas/core/users/backup-notice-job.ts). `jobId` names the job's progress, so a redelivered
 * job tells nobody twice.
 */
export interface BackupNoticesJob {
  kind: 'backup-notices';
  jobId: string;
  changes: Array<{ user: string; previous?: string; next?: string }>;
}

export type QueuedJob = DeliveryJob | ReleaseWalkJob | SendLinksJob | BackupNoticesJob;

/** The delivery queue (SQS in the cloud), as the domain needs it. */
export interface DeliveryQueue {
  /** Queues the job, visible after `delaySeconds` (the adapter caps it at what it supports). */
  enqueue(job: QueuedJob, delaySeconds?: number): Promise<void>;
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

export const isReleaseWalkJob = (value: unknown): value is ReleaseWalkJob => {
  const job = value as Partial<ReleaseWalkJob> | null;
  return (
    typeof job === 'object' &&
    job !== null &&
    job.kind === 'release-walk' &&
    typeof job.domain === 'string' &&
    (job.token === undefined || typeof job.token === 'string')
  );
};

export const isSendLinksJob = (value: unknown): value is SendLinksJob => {
  const job = value as Partial<SendLinksJob> | null;
  return (
    typeof job === 'object' &&
    job !== null &&
    job.kind === 'send-links' &&
    typeof job.jobId === 'string' &&
    typeof job.domain === 'string' &&
    (job.purpose === 'invite' || job.purpose === 'drill') &&
    (job.purpose === 'invite' ? job.drillId === undefined : typeof job.drillId === 'string') &&
    Array.isArray(job.addresses) &&
    job.addresses.every((a) => typeof a === 'string')
  );
};

export const isBackupNoticesJob = (value: unknown): value is BackupNoticesJob => {
  const job = value as Partial<BackupNoticesJob> | null;
  const optional = (v: unknown) => v === undefined || typeof v === 'string';
  return (
    typeof job === 'object' &&
    job !== null &&
    job.kind === 'backup-notices' &&
    typeof job.jobId === 'string' &&
    Array.isArray(job.changes) &&
    job.changes.every((c) => typeof c?.user === 'string' && optional(c.previous) && optional(c.next))
  );
};
