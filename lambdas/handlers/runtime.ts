import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbTable } from '../adapters/aws/dynamodb-table';
import { createS3Client, S3BlobStore } from '../adapters/aws/s3-blob-store';
import type { DeliveryQueue } from '../adapters/delivery-queue';
import type { MailSender } from '../adapters/mail-sender';
import type { SmtpRelay } from '../adapters/smtp-relay';
import { fixedOffsetClock } from '../core/clock';

/**
 * The composition root shared by every handler: adapters built from the function's
 * environment once per container. Endpoints come from the SDK's own AWS_ENDPOINT_URL_*
 * variables, so the same code runs in the cloud and on the local stand-ins.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

let dynamodb: DynamoDBClient | undefined;
let s3: S3Client | undefined;
let table: DynamoDbTable | undefined;
let blobs: S3BlobStore | undefined;
let sender: MailSender | undefined;
let queue: DeliveryQueue | undefined;
let relay: SmtpRelay | undefined;

/**
 * Adapters only some functions use are loaded on first use, not when the bundle loads: ingest
 * never sends through SES, reads a secret or opens SMTP, and each SDK client it does not
 * evaluate is memory its 40 MB worst case keeps (see lib/ingest-tuning.ts).
 */
const lazily = <T>(load: () => Promise<T>) => {
  let loaded: Promise<T> | undefined;
  return () =>
    (loaded ??= load().catch((error) => {
      loaded = undefined;
      throw error;
    }));
};
const sesSender = lazily(async () => new (await import('../adapters/aws/ses-mail-sender')).SesMailSender());
const sqsQueue = lazily(
  async () =>
    new (await import('../adapters/aws/sqs-delivery-queue')).SqsDeliveryQueue(required('QUEUE_URL')),
);
const smtpRelay = lazily(
  async () => new (await import('../adapters/smtp/nodemailer-relay')).NodemailerRelay(),
);
const secrets = lazily(() => import('../adapters/aws/secret-value'));
const signingKeys = lazily(() => import('../adapters/aws/signing-key'));
const originSecrets = lazily(() => import('../adapters/aws/origin-secret'));
const mfaKeys = lazily(() => import('../adapters/aws/mfa-key'));

export const runtime = {
  /** The SDK clients themselves, e.g. for the benchmark's request-counting middleware. */
  clients: {
    get dynamodb() {
      return (dynamodb ??= new DynamoDBClient({ cacheMiddleware: true }));
    },
    get s3() {
      return (s3 ??= createS3Client());
    },
  },
  get table() {
    return (table ??= new DynamoDbTable(required('TABLE_NAME'), runtime.clients.dynamodb));
  },
  get blobs() {
    return (blobs ??= new S3BlobStore(required('MAIL_BUCKET'), runtime.clients.s3));
  },
  get sender(): MailSender {
    return (sender ??= { sendRaw: async (raw, envelope) => (await sesSender()).sendRaw(raw, envelope) });
  },
  /**
   * Mail Flow's delivery queue: SQS at QUEUE_URL. Read only when a domain delivers, so intake
   * runs without it; the local runtime assigns its in-process queue before handlers run.
   */
  get queue(): DeliveryQueue {
    // Never throws here: spreading `runtime` into a deps object reads every getter, also in
    // functions that have no queue (the portal API). Only an actual enqueue needs QUEUE_URL.
    return (queue ??= {
      enqueue: async (job, delaySeconds) => (await sqsQueue()).enqueue(job, delaySeconds),
    });
  },
  set queue(value: DeliveryQueue) {
    queue = value;
  },
  /** SMTP to the domains' primary mail servers; pooled connections outlive one invocation. */
  get relay(): SmtpRelay {
    return (relay ??= {
      deliver: async (raw, envelope, destination) => (await smtpRelay()).deliver(raw, envelope, destination),
    });
  },
  set relay(value: SmtpRelay) {
    relay = value;
  },
  /** SMTP credentials for a destination (Secrets Manager). */
  readSecret: async (secretId: string) => (await secrets()).readSecretString(secretId),
  /** Unset in the cloud; the local runtime sets it to demo the 14- and 30-day windows. */
  clock: fixedOffsetClock(Number(process.env.XTRAMAIL_LOCAL_CLOCK_OFFSET_DAYS ?? 0) || 0),
  signingKey: async () => (await signingKeys()).sessionSigningKey(),
  originSecret: async () => (await originSecrets()).originVerifySecret(),
  mfaKey: async () => (await mfaKeys()).mfaSealingKey(),
};
