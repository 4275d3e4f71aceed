import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../lambdas/core/entities/keys';
import { RAW_MAIL_PREFIX } from '../lambdas/core/ingest/receipt';

/** Key prefixes in the mail bucket. Each one expires after {@link MAIL_OBJECT_EXPIRY}. */
export const MAIL_PREFIXES = {
  /** Raw messages as SES stored them (`incoming/<sesMessageId>`). */
  incoming: RAW_MAIL_PREFIX,
  /** Parsed bodies too large for the table (`body/<id>.json`). */
  body: 'body/',
  /** Attachments (`att/<id>/<n>`). */
  attachments: 'att/',
  /** Messages sent from the portal, as sent (`sent/<id>`). */
  sent: 'sent/',
} as const;

/** Short-lived objects: portal uploads waiting to be sent, and mbox exports waiting for download. */
export const TRANSIENT_PREFIXES = { uploads: 'uploads/', exports: 'exports/' } as const;
export const TRANSIENT_OBJECT_EXPIRY = Duration.days(1);

/** The snapshot keeps 30 days of mail; objects live one day longer so no read races the expiry. */
export const MAIL_OBJECT_EXPIRY = Duration.days(31);

/** How long S3 server access logs and CloudFront access logs are kept. */
export const ACCESS_LOG_EXPIRY = Duration.days(90);

/**
 * The data of XtraMail: the single DynamoDB table, the mail bucket, and the bucket that receives
 * the access logs of every other bucket and of CloudFront.
 */
export class Storage extends Construct {
  /** The single table (`pk`/`sk`, TTL on `expiresAt`). */
  public readonly table: Table;
  /** Raw mail, parsed bodies and attachments, each prefix expiring after 31 days. */
  public readonly mailBucket: Bucket;
  /** S3 server access logs (`s3/<bucket>/`) and CloudFront standard logs (`cloudfront/`). */
  public readonly logBucket: Bucket;

  public constructor(scope: Construct, id: string) {
    super(scope, id);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: PARTITION_KEY, type: AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // CloudFront standard logging writes with ACLs, so this bucket keeps them enabled
    // (BUCKET_OWNER_PREFERRED); S3 server access logging is granted through its bucket policy.
    this.logBucket = new Bucket(this, 'LogBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      versioned: false,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'ExpireAccessLogs', expiration: ACCESS_LOG_EXPIRY },
        { id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    Validations.of(this.logBucket.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket itself: logging its own accesses into itself would create an endless feedback loop of log objects.',
    });

    this.mailBucket = new Bucket(this, 'MailBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/mail/',
      lifecycleRules: [
        ...Object.entries(MAIL_PREFIXES).map(([name, prefix]) => ({
          id: `Expire-${name}`,
          prefix,
          expiration: MAIL_OBJECT_EXPIRY,
        })),
        ...Object.entries(TRANSIENT_PREFIXES).map(([name, prefix]) => ({
          id: `Expire-${name}`,
          prefix,
          expiration: TRANSIENT_OBJECT_EXPIRY,
        })),
        { id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // The portal's browsers upload attachments and download files with presigned URLs; the
      // signature, not the origin, is what authorizes each request.
      cors: [
        {
          allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
          allowedOrigins: ['*'],
          allowedHeaders: ['content-type'],
          maxAge: 3600,
        },
      ],
    });
  }
}
