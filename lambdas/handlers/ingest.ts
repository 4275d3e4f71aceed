import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SESEvent, SESReceiptStatus } from 'aws-lambda';
import type { Verdict } from '../core/entities/log-entry';
import { ingestMessage, type IngestResult } from '../core/ingest/ingest-message';
import type { Receipt } from '../core/ingest/receipt';
import { runtime } from './runtime';

const logger = new Logger({ serviceName: 'xtramail-ingest' });
const metrics = new Metrics({ namespace: 'XtraMail', serviceName: 'ingest' });
/**
 * Recipients by action, one EMF document per action. A long-lived instance rather than
 * `metrics.singleMetric()`, which builds a new Metrics (and re-reads its environment) per call:
 * that was about 3% of ingest CPU per message.
 */
const recipientMetrics = new Metrics({ namespace: 'XtraMail', serviceName: 'ingest' });

const verdict = (status: SESReceiptStatus | undefined): Verdict => status?.status ?? 'PROCESSING_FAILED';

export const toReceipt = (record: SESEvent['Records'][number]): Receipt => {
  const { mail, receipt } = record.ses;
  return {
    sesMessageId: mail.messageId,
    receivedAt: new Date(receipt.timestamp || mail.timestamp),
    envelopeSender: mail.source,
    recipients: receipt.recipients,
    verdicts: {
      spam: verdict(receipt.spamVerdict),
      virus: verdict(receipt.virusVerdict),
      spf: verdict(receipt.spfVerdict),
      dkim: verdict(receipt.dkimVerdict),
      dmarc: verdict(receipt.dmarcVerdict),
    },
  };
};

function record(result: IngestResult) {
  if (result.skipped) return;
  metrics.addMetric('MessagesIngested', MetricUnit.Count, 1);
  metrics.addMetric('MessageBytes', MetricUnit.Bytes, result.size);
  if (result.unparseable) metrics.addMetric('ParseFailures', MetricUnit.Count, 1);
  const byAction = new Map<string, number>();
  for (const { action } of result.recipients) byAction.set(action, (byAction.get(action) ?? 0) + 1);
  for (const [action, count] of byAction)
    recipientMetrics
      .addDimension('action', action)
      .addMetric('Recipients', MetricUnit.Count, count)
      .publishStoredMetrics();
}

/**
 * SES invokes this (Event) after its S3 action stored the raw message. A failure throws, so
 * Lambda retries the event and finally parks it in the DLQ; nothing is dropped silently.
 */
export async function handler(event: SESEvent): Promise<void> {
  try {
    for (const sesRecord of event.Records) {
      const receipt = toReceipt(sesRecord);
      const result = await ingestMessage(runtime, receipt);
      record(result);
      if (result.unparseable) {
        logger.warn('Message could not be parsed; kept raw and marked unparseable', {
          sesMessageId: result.sesMessageId,
          parseError: result.parseError,
        });
      }
      logger.info('Message ingested', {
        sesMessageId: result.sesMessageId,
        skipped: result.skipped,
        size: result.size,
        recipients: result.recipients,
      });
    }
  } catch (error) {
    logger.error('Ingest failed; Lambda will retry the event, then send it to the DLQ', {
      error: error as Error,
      sesMessageIds: event.Records.map((r) => r.ses.mail.messageId),
    });
    throw error;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}
