import { simpleParser } from 'mailparser';
import type { BlobStore } from '../../adapters/blob-store';
import type { Table } from '../../adapters/table';
import { logEntryToItem } from '../entities/log-entry';
import { rawMailKey, SES_SETUP_NOTIFICATION_ID, type Receipt } from './receipt';

export interface IngestDeps {
  table: Table;
  blobs: BlobStore;
}

interface HeaderSummary {
  from: string;
  subject: string;
  parsed: boolean;
}

async function summarizeHeaders(raw: Buffer): Promise<HeaderSummary> {
  try {
    const mail = await simpleParser(raw, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
    });
    return { from: mail.from?.text ?? '', subject: mail.subject ?? '', parsed: true };
  } catch {
    return { from: '', subject: '', parsed: false };
  }
}

/**
 * Records one received message: a 14-day log entry per envelope recipient. Keys derive from
 * the SES message id and the recipient, so a redelivered event rewrites the same items.
 */
export async function recordReceipt(deps: IngestDeps, receipt: Receipt): Promise<{ logged: number }> {
  if (receipt.sesMessageId === SES_SETUP_NOTIFICATION_ID) return { logged: 0 };
  const raw = await deps.blobs.get(rawMailKey(receipt.sesMessageId));
  if (!raw) throw new Error(`Raw message ${rawMailKey(receipt.sesMessageId)} is missing`);
  const summary = await summarizeHeaders(raw);
  const items = receipt.recipients.map((recipient) =>
    logEntryToItem({
      sesMessageId: receipt.sesMessageId,
      receivedAt: receipt.receivedAt,
      envelopeSender: receipt.envelopeSender,
      recipient,
      from: summary.from,
      subject: summary.subject,
      size: raw.length,
      verdicts: receipt.verdicts,
      action: summary.parsed ? 'received' : 'unparseable',
    }),
  );
  await deps.table.putAll(items);
  return { logged: items.length };
}
