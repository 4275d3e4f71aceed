import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SESEvent } from 'aws-lambda';
import { securityHeaders } from '../../lib/security-headers';
import { NodemailerRelay } from '../../lambdas/adapters/smtp/nodemailer-relay';
import { AsyncInvoker } from './async-invoker';
import { LOCAL_REPLAY_PATH, replayDeadLetters } from './dead-letters';
import { startDynamoDbLocal } from './dynamodb-local';
import { LOCAL_ORIGIN_SECRET, startHttpServer } from './http-server';
import { LocalDeliveryQueue } from './local-delivery-queue';
import { startS3Local } from './s3-local';
import { startSesLocal } from './ses-local';
import { startSmtpReceiver } from './smtp-receiver';
import { startSweeper, sweepExpiredObjects } from './s3-sweeper';
import { ensureTable } from './table-setup';

export const TABLE_NAME = 'xtramail';
export const MAIL_BUCKET = 'xtramail-mail';

export interface LocalStackOptions {
  /** Where data lives; omitted: DynamoDB in memory and files under a temporary directory. */
  dataDir: string;
  /** true: DynamoDB keeps its data in `dataDir` across restarts. */
  persistent: boolean;
  httpPort: number;
  smtpPort: number;
  sesPort: number;
  clockOffsetDays: number;
  admin: { email: string; password: string };
  webRoot: string;
}

export interface LocalStack {
  webUrl: string;
  smtpPort: number;
  sesUrl: string;
  admin: { email: string; created: boolean };
  dynamoDbEndpoint: string;
  s3Endpoint: string;
  /** Resolves when every message received so far has been ingested (or dead-lettered). */
  ingestIdle(): Promise<void>;
  /** Resolves when the delivery queue is empty: nothing waiting, delayed or being delivered. */
  deliveryIdle(): Promise<void>;
  /** Re-drives the events ingest gave up on (`npm run replay-dlq` calls this over HTTP). */
  replayDeadLetters(): Promise<{ replayed: number; failed: Array<{ file: string; error: string }> }>;
  stop(): Promise<void>;
}

/** A random key kept in the data directory, so sessions and MFA enrolments survive restarts. */
function localKey(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/**
 * The whole product on this machine: the stand-ins, the environment the handlers read (the
 * SDK finds each stand-in through AWS_ENDPOINT_URL_<SERVICE>), then the handlers themselves.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  mkdirSync(options.dataDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error) => console.error(error));
  };
  try {
    const dynamo = await startDynamoDbLocal({
      dataDir: options.persistent ? path.join(options.dataDir, 'dynamodb') : undefined,
    });
    stops.push(dynamo.stop);
    const s3 = await startS3Local(path.join(options.dataDir, 's3'), [MAIL_BUCKET]);
    stops.push(s3.stop);
    const ses = await startSesLocal(options.sesPort);
    stops.push(ses.stop);

    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      // s3rver verifies signatures against these; the other stand-ins accept any key.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SES: ses.endpoint,
      AWS_ENDPOINT_URL_SESV2: ses.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      // Local Node is 20 by design (Lambda runs 22+); the SDK's upgrade notice is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // CloudWatch metrics (EMF lines) mean nothing without CloudWatch.
      POWERTOOLS_METRICS_DISABLED: 'true',
      TABLE_NAME,
      MAIL_BUCKET,
      JWT_SIGNING_KEY: localKey(options.dataDir, 'jwt-signing-key'),
      MFA_KEY: localKey(options.dataDir, 'mfa-sealing-key'),
      ORIGIN_VERIFY_SECRET: LOCAL_ORIGIN_SECRET,
      XTRAMAIL_LOCAL_CLOCK_OFFSET_DAYS: String(options.clockOffsetDays),
    });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;

    await ensureTable(new DynamoDBClient({}), TABLE_NAME);
    // Imported only now: the handlers read their environment when they load, as in Lambda.
    const [{ runtime }, ingest, deliver, consoleApi, portalApi, { ensureBootstrapAdmin }, { rawMailKey }] =
      await Promise.all([
        import('../../lambdas/handlers/runtime'),
        import('../../lambdas/handlers/ingest'),
        import('../../lambdas/handlers/deliver'),
        import('../../lambdas/handlers/console-api'),
        import('../../lambdas/handlers/portal-api'),
        import('../../lambdas/core/admins/bootstrap-admin'),
        import('../../lambdas/core/ingest/receipt'),
      ]);
    // Mail Flow's queue runs in this process (SQS in the cloud), behind the same adapter.
    const queue = new LocalDeliveryQueue(path.join(options.dataDir, 'dead-letters-deliver'));
    const relay = new NodemailerRelay();
    runtime.queue = queue;
    runtime.relay = relay;
    queue.attach(deliver.handler);
    stops.push(async () => {
      await queue.stop();
      relay.close();
    });
    const { created } = await ensureBootstrapAdmin(runtime, options.admin.email, options.admin.password);

    const deadLetterDir = path.join(options.dataDir, 'dead-letters');
    const ingestInvoker = new AsyncInvoker<SESEvent>('ingest', ingest.handler, deadLetterDir);
    const replay = () =>
      replayDeadLetters<SESEvent>(deadLetterDir, async (letter) => {
        await ingest.handler(letter.event);
      });
    stops.push(startSweeper(() => sweepExpiredObjects(runtime.clients.s3, MAIL_BUCKET, runtime.clock)));
    stops.push(startSweeper(() => deliver.sweepHeld()));

    const smtp = await startSmtpReceiver({
      port: options.smtpPort,
      now: () => runtime.clock.now(),
      store: (id, raw) => runtime.blobs.put(rawMailKey(id), raw, 'message/rfc822'),
      received: (mail) => ingestInvoker.invoke(mail.event),
    });
    stops.push(async () => {
      await smtp.stop();
      await ingestInvoker.idle();
    });

    const http = await startHttpServer({
      port: options.httpPort,
      webRoot: options.webRoot,
      routes: { console: consoleApi.handler, portal: portalApi.handler },
      control: { [`POST ${LOCAL_REPLAY_PATH}`]: replay },
      securityHeaders: securityHeaders({ mailBucketOrigin: s3.endpoint }),
    });
    stops.push(http.stop);
    // Links in mail (sign-in, invitations, fire drills) point at this server, as at CloudFront in the cloud.
    process.env.PORTAL_BASE_URL = http.url;

    return {
      webUrl: http.url,
      smtpPort: smtp.port,
      sesUrl: ses.endpoint,
      admin: { email: options.admin.email, created },
      dynamoDbEndpoint: dynamo.endpoint,
      s3Endpoint: s3.endpoint,
      ingestIdle: () => ingestInvoker.idle(),
      deliveryIdle: () => queue.idle(),
      replayDeadLetters: replay,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
