import type { Verdicts } from '../entities/log-entry';

/** One message as SES received it: the envelope, not the headers, decides who gets a copy. */
export interface Receipt {
  sesMessageId: string;
  receivedAt: Date;
  envelopeSender: string;
  recipients: string[];
  verdicts: Verdicts;
}

/** Where SES's S3 action stores the raw message (the receipt rule's object key prefix). */
export const RAW_MAIL_PREFIX = 'incoming/';
export const rawMailKey = (sesMessageId: string) => `${RAW_MAIL_PREFIX}${sesMessageId}`;

/** SES writes this object once when a receipt rule is created; it is not mail. */
export const SES_SETUP_NOTIFICATION_ID = 'AMAZON_SES_SETUP_NOTIFICATION';
