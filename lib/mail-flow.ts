import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { XtraMailFunction } from './lambda-defaults';
import { nagResource } from './nag';
import { MAIL_PREFIXES } from './storage';
import { SMTP_SECRET_PREFIX } from '../lambdas/core/mail-flow/settings';

/** Destination SMTP credentials must be Secrets Manager secrets named with this prefix. */
export { SMTP_SECRET_PREFIX };

const DELIVER_TIMEOUT = Duration.minutes(1);

export interface MailFlowProps {
  readonly table: ITable;
  readonly mailBucket: Bucket;
  /** Admin alerts are sent from these domains' SES identities; empty: any identity. */
  readonly managedDomains: readonly string[];
  /** Functions that queue jobs: ingest (new mail) and the console API (releases, large link sends). */
  readonly producers: readonly IFunction[];
}

/**
 * Mail Flow: an encrypted SQS delivery queue (with a DLQ and an alarm on it) feeding the
 * `deliver` function, which relays each message over SMTP to the domain's primary mail server.
 * Ingest and the console API get QUEUE_URL and may only send to this queue.
 */
export class MailFlow extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly deliverFunction: XtraMailFunction;
  public readonly deadLetterAlarm: Alarm;
  /** Fires when a domain's Mail Flow status turns Bad (the deliver function's MailFlowBad metric). */
  public readonly statusAlarm: Alarm;
  /** Hourly: expires held mail past its 14 days (log entries, admin email) before the TTL removes it. */
  public readonly sweepRule: Rule;

  public constructor(scope: Construct, id: string, props: MailFlowProps) {
    super(scope, id);
    const { table, mailBucket, managedDomains, producers } = props;
    const stack = Stack.of(this);

    this.deadLetterQueue = new Queue(this, 'DeliveryDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'DeliveryQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Deferred mail waits up to 14 days; the worker requeues it, so this is a backstop.
      retentionPeriod: Duration.days(14),
      // Six times the function timeout, as AWS recommends for Lambda event sources.
      visibilityTimeout: Duration.minutes(6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });

    this.deliverFunction = new XtraMailFunction(this, 'Deliver', {
      entry: 'lambdas/handlers/deliver.ts',
      description:
        "XtraMail Mail Flow: relays each message over SMTP to the domain's primary mail server; mails the links of large invitations and fire drills",
      timeout: DELIVER_TIMEOUT,
      environment: {
        TABLE_NAME: table.tableName,
        MAIL_BUCKET: mailBucket.bucketName,
        QUEUE_URL: this.queue.queueUrl,
      },
    });
    this.deliverFunction.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );
    table.grantReadWriteData(this.deliverFunction);
    this.queue.grantSendMessages(this.deliverFunction);
    this.deliverFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [mailBucket.arnForObjects(`${MAIL_PREFIXES.incoming}*`)],
      }),
    );
    const secrets = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${SMTP_SECRET_PREFIX}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.deliverFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secrets] }),
    );
    const identityArn = (name: string) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
    // Admin alerts, and the invitation and fire-drill links of large selections (queued by the
    // console API), go out from the same identities the API functions send from (lib/api.ts).
    const identities = managedDomains.length > 0 ? managedDomains.map(identityArn) : [identityArn('*')];
    this.deliverFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['ses:SendRawEmail', 'ses:SendEmail'], resources: identities }),
    );

    this.sweepRule = new Rule(this, 'SweepHeldMail', {
      description: 'XtraMail Mail Flow: expire held mail past 14 days and tell the admins',
      schedule: Schedule.rate(Duration.hours(1)),
      targets: [
        new LambdaFunction(this.deliverFunction, {
          // lambdas/handlers/deliver.ts SWEEP_HELD_EVENT
          event: RuleTargetInput.fromObject({ sweep: 'held-mail' }),
          retryAttempts: 2,
        }),
      ],
    });

    for (const producer of producers) {
      this.queue.grantSendMessages(producer);
      if (producer instanceof XtraMailFunction) producer.addEnvironment('QUEUE_URL', this.queue.queueUrl);
    }

    this.deadLetterAlarm = new Alarm(this, 'DeliveryDeadLetterAlarm', {
      alarmDescription:
        'XtraMail Mail Flow could not process at least one delivery job (see the delivery dead-letter queue and the deliver logs). The raw message is still in the mail bucket under incoming/.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // lambdas/handlers/deliver.ts emits MailFlowBad (service=deliver) on every status flip:
    // 1 when a domain turns Bad, 0 when it is Good again. Any 1 in a minute fires the alarm; with
    // no flips there is no data, which is no trouble, so the alarm returns to OK on its own.
    this.statusAlarm = new Alarm(this, 'MailFlowBadAlarm', {
      alarmDescription:
        "XtraMail Mail Flow: a domain's status turned Bad (fewer than its threshold of the last 25 deliveries to its primary mail server succeeded). The domain's admins got an email; the MailFlowBad metric with the domain dimension says which domain, the console's Mail Flow tab shows the last SMTP replies.",
      metric: new Metric({
        namespace: 'XtraMail',
        metricName: 'MailFlowBad',
        dimensionsMap: { service: 'deliver' },
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const policy = this.deliverFunction.role!.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, mailBucket.arnForObjects(`${MAIL_PREFIXES.incoming}*`))}]`,
      reason: `Deliver reads the raw message SES stored under ${MAIL_PREFIXES.incoming}; the grant is that prefix only.`,
    });
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, secrets)}]`,
      reason: `Each domain's SMTP credentials are a secret the admin creates under ${SMTP_SECRET_PREFIX}; their names are not known at deploy time.`,
    });
    for (const identity of identities.filter((arn) => arn.endsWith('/*'))) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagResource(this, identity)}]`,
        reason:
          'No managedDomains configured (catch-all deployment): Mail Flow alerts and queued invitation and fire-drill links may come from any SES identity of this account and region.',
      });
    }
    Validations.of(this.deadLetterQueue.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "This queue is itself the delivery queue's dead-letter queue.",
    });
  }
}
