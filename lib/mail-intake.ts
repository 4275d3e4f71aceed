import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { type ReceiptRule, ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { Lambda as LambdaAction, LambdaInvocationType, S3 as S3Action } from 'aws-cdk-lib/aws-ses-actions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  type AwsSdkCall,
  PhysicalResourceId,
} from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { INGEST_MEMORY_MB, INGEST_NODE_FLAGS } from './ingest-tuning';
import { XtraMailFunction } from './lambda-defaults';
import { nagResource } from './nag';
import { MAIL_PREFIXES } from './storage';

export interface MailIntakeProps {
  readonly table: ITable;
  readonly mailBucket: Bucket;
  /** Receive mail for these domains; empty for a catch-all rule. */
  readonly managedDomains: readonly string[];
}

/**
 * Inbound mail: an SES receipt rule set (activated by a custom resource, since CloudFormation
 * cannot) whose single rule stores the raw message under `incoming/` and then invokes `ingest`
 * asynchronously. Failed events end in an encrypted DLQ watched by an alarm.
 */
export class MailIntake extends Construct {
  public readonly ingestFunction: XtraMailFunction;
  public readonly ruleSet: ReceiptRuleSet;
  public readonly rule: ReceiptRule;
  /** Events ingest failed on after its retries (or that grew older than 6 hours). */
  public readonly deadLetterQueue: Queue;
  /** In alarm while the dead-letter queue holds at least one message. */
  public readonly deadLetterAlarm: Alarm;
  /** Makes {@link ruleSet} the account's active receipt rule set in this region. */
  public readonly activation: AwsCustomResource;

  public constructor(scope: Construct, id: string, props: MailIntakeProps) {
    super(scope, id);
    const { table, mailBucket, managedDomains } = props;

    this.ingestFunction = new XtraMailFunction(this, 'Ingest', {
      entry: 'lambdas/handlers/ingest.ts',
      description: 'XtraMail: records each message SES received (log, snapshot, parsed body, attachments)',
      // Sized from the ingest benchmark: see lib/ingest-tuning.ts.
      memorySize: INGEST_MEMORY_MB,
      nodeFlags: INGEST_NODE_FLAGS,
      timeout: Duration.minutes(2),
      environment: {
        TABLE_NAME: table.tableName,
        MAIL_BUCKET: mailBucket.bucketName,
        MANAGED_DOMAINS: managedDomains.join(','),
      },
    });

    // Least privilege: read raw mail, write parsed bodies and attachments, use the table.
    const objects = (prefix: string) => mailBucket.arnForObjects(`${prefix}*`);
    this.ingestFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [objects(MAIL_PREFIXES.incoming)] }),
    );
    this.ingestFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [objects(MAIL_PREFIXES.body), objects(MAIL_PREFIXES.attachments)],
      }),
    );
    table.grantReadWriteData(this.ingestFunction);

    this.deadLetterQueue = new Queue(this, 'IngestDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.ingestFunction.configureAsyncInvoke({
      onFailure: new SqsDestination(this.deadLetterQueue),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    this.deadLetterAlarm = new Alarm(this, 'IngestDeadLetterAlarm', {
      alarmDescription:
        'XtraMail ingest gave up on at least one received message (see the ingest dead-letter queue and the ingest logs). The raw message is still in the mail bucket under incoming/.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.ruleSet = new ReceiptRuleSet(this, 'RuleSet');
    this.rule = this.ruleSet.addRule('Rule', {
      // No recipients: the rule matches every address of every domain verified for receiving.
      recipients: managedDomains.length > 0 ? [...managedDomains] : undefined,
      enabled: true,
      scanEnabled: true,
      tlsPolicy: TlsPolicy.REQUIRE,
      actions: [
        // 1. Store the raw message. The S3 action adds a bucket policy statement letting
        //    ses.amazonaws.com put incoming/* only, conditioned on aws:SourceAccount.
        new S3Action({ bucket: mailBucket, objectKeyPrefix: MAIL_PREFIXES.incoming }),
        // 2. Then ingest it, asynchronously: retries and the DLQ above apply.
        new LambdaAction({ function: this.ingestFunction, invocationType: LambdaInvocationType.EVENT }),
      ],
    });

    // CloudFormation creates receipt rule sets inactive; only one can be active per account and region.
    // The physical id never changes, so an update never triggers the "delete" (deactivate) call.
    const activate: AwsSdkCall = {
      service: 'SES',
      action: 'setActiveReceiptRuleSet',
      parameters: { RuleSetName: this.ruleSet.receiptRuleSetName },
      physicalResourceId: PhysicalResourceId.of('xtramail-active-receipt-rule-set'),
    };
    this.activation = new AwsCustomResource(this, 'ActivateRuleSet', {
      resourceType: 'Custom::XtraMailActiveReceiptRuleSet',
      onCreate: activate,
      onUpdate: activate,
      // No RuleSetName: deactivate, so CloudFormation can then delete the rule set.
      onDelete: { service: 'SES', action: 'setActiveReceiptRuleSet', parameters: {} },
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['ses:SetActiveReceiptRuleSet'], resources: ['*'] }),
      ]),
      installLatestAwsSdk: false,
      logGroup: new LogGroup(this, 'ActivateRuleSetLogGroup', { retention: RetentionDays.ONE_MONTH }),
    });
    // Activate only once the rule (and with it the bucket policy and invoke permission) exists.
    this.activation.node.addDependency(this.rule);

    this.acknowledgeNagFindings(mailBucket);
  }

  private acknowledgeNagFindings(mailBucket: Bucket): void {
    const ingestPolicy = this.ingestFunction.role!.node.findChild('DefaultPolicy');
    const prefixes = [
      [MAIL_PREFIXES.incoming, 'reads the raw message SES stored'],
      [MAIL_PREFIXES.body, 'writes the parsed body of each message'],
      [MAIL_PREFIXES.attachments, 'streams each attachment'],
    ] as const;
    for (const [prefix, what] of prefixes) {
      Validations.of(ingestPolicy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagResource(this, mailBucket.arnForObjects(`${prefix}*`))}]`,
        reason: `Ingest ${what} under ${prefix}; object keys are per message, so the grant is the ${prefix}* prefix of the mail bucket and nothing wider.`,
      });
    }
    Validations.of(this.deadLetterQueue.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself a dead-letter queue: the on-failure destination of ingest's asynchronous invocations.",
    });
    Validations.of(this.activation.node.findChild('CustomResourcePolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ses:SetActiveReceiptRuleSet supports no resource-level permissions (see the SES service authorization reference); it is the only action granted.',
    });
    const provider = Stack.of(this).node.tryFindChild(
      `AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`,
    );
    if (provider) {
      Validations.of(provider.node.findChild('ServiceRole')).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'CDK-managed AwsCustomResource singleton function: aws-cdk-lib creates its role with the AWS basic execution policy (its own logs only); the SES call it makes is granted separately.',
      });
      Validations.of(provider.node.defaultChild!).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          'CDK-managed AwsCustomResource singleton function; aws-cdk-lib picks its Node.js runtime (the latest available in every region).',
      });
    }
  }
}
