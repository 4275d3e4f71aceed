import type { SESEvent, SESReceiptStatus } from 'aws-lambda';
import type { Verdict } from '../core/entities/log-entry';
import type { Receipt } from '../core/ingest/receipt';
import { recordReceipt } from '../core/ingest/record-receipt';
import { runtime } from './runtime';

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

/**
 * SES invokes this (Event) after its S3 action stored the raw message. A failure throws, so
 * Lambda retries the event and finally parks it in the DLQ; nothing is dropped silently.
 */
export async function handler(event: SESEvent): Promise<void> {
  for (const record of event.Records) {
    const receipt = toReceipt(record);
    const { logged } = await recordReceipt({ table: runtime.table, blobs: runtime.blobs }, receipt);
    console.log(
      JSON.stringify({
        level: 'INFO',
        message: 'Message recorded',
        sesMessageId: receipt.sesMessageId,
        logged,
      }),
    );
  }
}
