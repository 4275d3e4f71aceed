import { domainOf, normalizeAddress } from '../addresses';
import { addDays, epochSeconds } from '../clock';
import type { Item, ItemKey } from './keys';

/** Message logs are kept 14 days for every domain, whether or not XtraMail is on. */
export const LOG_RETENTION_DAYS = 14;

export type Verdict = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED' | 'DISABLED';

export interface Verdicts {
  spam: Verdict;
  virus: Verdict;
  spf: Verdict;
  dkim: Verdict;
  dmarc: Verdict;
}

export interface LogEntry {
  sesMessageId: string;
  receivedAt: Date;
  envelopeSender: string;
  recipient: string;
  from: string;
  subject: string;
  size: number;
  verdicts: Verdicts;
  /** What XtraMail did for this recipient, e.g. `snapshot` or `not-enabled`. */
  action: string;
  /** Mail Flow: where delivery to the primary mail server stands, with its last SMTP reply. */
  delivery?: DeliveryState;
  deliveryReply?: string;
  deliveryAttempts?: number;
}

export type DeliveryState = 'delivered' | 'deferred' | 'failed' | 'expired' | 'held';

export function logEntryKey(entry: Pick<LogEntry, 'recipient' | 'receivedAt' | 'sesMessageId'>): ItemKey {
  const recipient = normalizeAddress(entry.recipient);
  const iso = entry.receivedAt.toISOString();
  return {
    pk: `LOG#${domainOf(recipient)}#${iso.slice(0, 10)}`,
    sk: `${iso}#${entry.sesMessageId}#${recipient}`,
  };
}

export const logEntryToItem = (entry: LogEntry): Item => ({
  ...logEntryKey(entry),
  type: 'log',
  sesMessageId: entry.sesMessageId,
  receivedAt: entry.receivedAt.toISOString(),
  envelopeSender: entry.envelopeSender,
  recipient: normalizeAddress(entry.recipient),
  from: entry.from,
  subject: entry.subject,
  size: entry.size,
  verdicts: entry.verdicts,
  action: entry.action,
  expiresAt: epochSeconds(addDays(entry.receivedAt, LOG_RETENTION_DAYS)),
});

export const logEntryFromItem = (item: Item): LogEntry => ({
  sesMessageId: String(item.sesMessageId),
  receivedAt: new Date(String(item.receivedAt)),
  envelopeSender: String(item.envelopeSender ?? ''),
  recipient: String(item.recipient),
  from: String(item.from ?? ''),
  subject: String(item.subject ?? ''),
  size: Number(item.size ?? 0),
  verdicts: item.verdicts as Verdicts,
  action: String(item.action),
  ...(typeof item.delivery === 'string' ? { delivery: item.delivery as DeliveryState } : {}),
  ...(typeof item.deliveryReply === 'string' ? { deliveryReply: item.deliveryReply } : {}),
  ...(typeof item.deliveryAttempts === 'number' ? { deliveryAttempts: item.deliveryAttempts } : {}),
});
