import { randomUUID } from 'node:crypto';
import type { BackupNoticesJob, DeliveryQueue } from '../../adapters/delivery-queue';
import { epochSeconds } from '../clock';
import { notifyChange, type BackupAddressDeps, type BackupChange } from './backup-address';

/** Up to this many changes are told within the request (two mails each, within SES's rate). */
export const IN_REQUEST_NOTICE_LIMIT = 10;
const CHANGES_PER_JOB = 25;
/** Jobs start this far apart, so one large import never outruns SES's default send rate. */
const JOB_SPACING_SECONDS = 8;
/** Progress markers outlive any redelivery of the job. */
const PROGRESS_TTL_SECONDS = 2 * 24 * 3600;

/** Queues the notices of a large import; returns how many changes were queued. */
export async function queueBackupNotices(queue: DeliveryQueue, changes: BackupChange[]): Promise<number> {
  const jobId = randomUUID();
  for (let i = 0; i < changes.length; i += CHANGES_PER_JOB) {
    const job: BackupNoticesJob = {
      kind: 'backup-notices',
      jobId,
      changes: changes.slice(i, i + CHANGES_PER_JOB),
    };
    await queue.enqueue(job, (i / CHANGES_PER_JOB) * JOB_SPACING_SECONDS);
  }
  return changes.length;
}

/**
 * Tells each change's old and new address. Each user is claimed first with a conditional write
 * under the job's id, so a redelivered job tells nobody twice; a failed mail is not retried.
 */
export async function processBackupNotices(
  deps: BackupAddressDeps,
  job: BackupNoticesJob,
): Promise<{ told: number; skipped: number }> {
  let told = 0;
  let skipped = 0;
  for (const change of job.changes) {
    const claimed = await deps.table.put(
      {
        pk: `BACKUP-NOTICES#${job.jobId}`,
        sk: change.user,
        type: 'backup-notice-progress',
        expiresAt: epochSeconds(deps.clock.now()) + PROGRESS_TTL_SECONDS,
      },
      { ifAbsent: true },
    );
    if (!claimed) {
      skipped++;
      continue;
    }
    await notifyChange(deps, change);
    told++;
  }
  return { told, skipped };
}
