import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  isBackupNoticesJob,
  isDeliveryJob,
  isReleaseWalkJob,
  isSendLinksJob,
} from '../adapters/delivery-queue';
import { processBackupNotices } from '../core/users/backup-notice-job';
import { processLinkJob, type LinkJobDeps } from '../core/invitations/link-job';
import { deliverMessage, expireHeld } from '../core/mail-flow/deliver-message';
import { walkRelease, type WalkDeps } from '../core/mail-flow/release-walk';
import { RETRY_BASE_MS } from '../core/mail-flow/retry';
import { portalBaseUrl } from './routes/portal/portal-url';
import { runtime } from './runtime';

const logger = new Logger({ serviceName: 'xtramail-deliver' });
const metrics = new Metrics({ namespace: 'XtraMail', serviceName: 'deliver' });

const retryBaseMs = (): number => {
  const seconds = Number(process.env.MAIL_FLOW_RETRY_BASE_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : RETRY_BASE_MS;
};

const releasePerMinute = (): number | undefined => {
  const value = Number(process.env.MAIL_FLOW_RELEASE_PER_MINUTE);
  return Number.isInteger(value) && value > 0 ? value : undefined;
};

const deps = (): WalkDeps => ({
  table: runtime.table,
  blobs: runtime.blobs,
  clock: runtime.clock,
  relay: runtime.relay,
  queue: runtime.queue,
  sender: runtime.sender,
  readSecret: runtime.readSecret,
  retryBaseMs: retryBaseMs(),
  releasePerMinute: releasePerMinute(),
  ...(process.env.MAIL_FLOW_ALERT_FROM ? { alertFrom: () => process.env.MAIL_FLOW_ALERT_FROM! } : {}),
});

/** Invitations and fire-drill links of a large selection, queued by the console API. */
const linkJobDeps = (): LinkJobDeps => ({
  table: runtime.table,
  clock: runtime.clock,
  sender: runtime.sender,
  portalUrl: portalBaseUrl,
});

/** A link job stops with this much of the function's time left (one address takes well under it). */
const LINK_JOB_RESERVE_MS = 10_000;

/** The hourly sweep (EventBridge in the cloud): expires held mail past its 14 days. */
export const SWEEP_HELD_EVENT = { sweep: 'held-mail' } as const;

export async function sweepHeld(): Promise<number> {
  const expired = await expireHeld(deps());
  if (expired > 0) logger.warn('Held mail expired after 14 days', { expired });
  return expired;
}

/**
 * SQS invokes this with delivery jobs. Each record is delivered on its own; a record that
 * throws (not an SMTP answer: those are recorded and retried by requeueing) is reported as a
 * batch item failure, so SQS redelivers only it and finally parks it in the DLQ.
 */
export async function handler(
  event: SQSEvent | typeof SWEEP_HELD_EVENT,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<SQSBatchResponse | { expired: number }> {
  if (!('Records' in event)) return { expired: await sweepHeld() };
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const job: unknown = JSON.parse(record.body);
      if (isReleaseWalkJob(job)) {
        const walk = await walkRelease(deps(), job);
        metrics.addMetric('Release_delivered', MetricUnit.Count, walk.tried.length);
        logger.info('Release walk step done', {
          domain: job.domain,
          outcome: walk.outcome,
          tried: walk.tried.length,
        });
        continue;
      }
      if (isSendLinksJob(job)) {
        // Ten jobs in one batch could outlast the function's minute: stop in time and queue the
        // rest under the same job id (its progress skips what is done) instead of timing out.
        const outOfTime = () => (context ? context.getRemainingTimeInMillis() < LINK_JOB_RESERVE_MS : false);
        const outcome = await processLinkJob(linkJobDeps(), job, outOfTime);
        if (outcome.remaining) await runtime.queue.enqueue({ ...job, addresses: outcome.remaining });
        metrics.addMetric('Links_sent', MetricUnit.Count, outcome.sent);
        metrics.addMetric('Links_failed', MetricUnit.Count, outcome.failed);
        logger.info('Link job done', {
          jobId: job.jobId,
          domain: job.domain,
          purpose: job.purpose,
          ...outcome,
        });
        continue;
      }
      if (isBackupNoticesJob(job)) {
        const outcome = await processBackupNotices(
          { table: runtime.table, clock: runtime.clock, sender: runtime.sender },
          job,
        );
        logger.info('Backup address notices sent', { jobId: job.jobId, ...outcome });
        continue;
      }
      if (!isDeliveryJob(job)) {
        logger.error('Not a delivery job; dropped', { messageId: record.messageId });
        continue;
      }
      const result = await deliverMessage(deps(), job);
      metrics.addMetric(`Delivery_${result.outcome}`, MetricUnit.Count, 1);
      if (result.statusChanged) {
        // Without the domain dimension for the CloudWatch alarm (lib/mail-flow.ts), with it to say which.
        metrics.addMetric('MailFlowBad', MetricUnit.Count, result.statusChanged.to === 'Bad' ? 1 : 0);
        const single = metrics.singleMetric();
        single.addDimension('domain', job.domain);
        single.addMetric('MailFlowBad', MetricUnit.Count, result.statusChanged.to === 'Bad' ? 1 : 0);
      }
      logger.info('Delivery job done', {
        sesMessageId: job.sesMessageId,
        domain: job.domain,
        attempt: job.attempt,
        ...result,
      });
    } catch (error) {
      logger.error('Delivery job failed; SQS will redeliver it', {
        error: error as Error,
        messageId: record.messageId,
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  return { batchItemFailures };
}
