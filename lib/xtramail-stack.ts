import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { OperatorAlerts } from './alerts';
import { Api } from './api';
import { BootstrapAdmin } from './bootstrap-admin';
import { resolveConfig, type XtraMailConfig, type XtraMailConfigInput } from './config';
import { MailFlow } from './mail-flow';
import { MailIntake } from './mail-intake';
import { Storage } from './storage';
import { Web } from './web';

export interface XtraMailStackProps extends StackProps {
  /** Overrides the CDK context settings of the same names (see `lib/config.ts`). */
  readonly config?: XtraMailConfigInput;
}

/** XtraMail in one stack. This class only wires the constructs; each one owns its concern. */
export class XtraMailStack extends Stack {
  public readonly config: XtraMailConfig;
  public readonly storage: Storage;
  public readonly mailIntake: MailIntake;
  public readonly api: Api;
  public readonly mailFlow: MailFlow;
  /** The operator's alarm topic: failed ingests and deliveries, Mail Flow turning Bad. */
  public readonly alerts: OperatorAlerts;
  public readonly bootstrapAdmin: BootstrapAdmin;
  public readonly web: Web;

  public constructor(scope: Construct, id: string, props: XtraMailStackProps = {}) {
    super(scope, id, {
      description: 'XtraMail email continuity: SES intake, snapshot storage, console and portal',
      ...props,
    });
    this.config = resolveConfig(this, props.config);
    const { managedDomains } = this.config;

    this.storage = new Storage(this, 'Storage');
    const { table, mailBucket, logBucket } = this.storage;

    this.mailIntake = new MailIntake(this, 'MailIntake', { table, mailBucket, managedDomains });
    this.api = new Api(this, 'Api', { table, mailBucket, managedDomains });
    this.mailFlow = new MailFlow(this, 'MailFlow', {
      table,
      mailBucket,
      managedDomains,
      producers: [this.mailIntake.ingestFunction, this.api.consoleFunction],
    });
    this.alerts = new OperatorAlerts(this, 'Alerts', { email: this.config.alarmEmail });
    this.alerts.notifyOn(
      this.mailIntake.deadLetterAlarm,
      this.mailFlow.deadLetterAlarm,
      this.mailFlow.statusAlarm,
    );
    this.bootstrapAdmin = new BootstrapAdmin(this, 'BootstrapAdmin', {
      table,
      adminEmail: this.config.bootstrapAdminEmail,
    });
    this.web = new Web(this, 'Web', {
      apiDomainName: this.api.originDomainName,
      originVerifySecret: this.api.originVerifySecret,
      logBucket,
      customDomain: this.config.customDomain,
      // Presigned URLs name the bucket either way, depending on the region and SDK.
      mailBucketOrigin: `https://${mailBucket.bucketRegionalDomainName} https://${mailBucket.bucketName}.s3.amazonaws.com`,
    });

    // Links in mail (sign-in, invitations, fire drills) point at the distribution. The deliver
    // function mails the invitations and drill links of large selections.
    for (const fn of [this.api.consoleFunction, this.api.portalFunction, this.mailFlow.deliverFunction]) {
      fn.addEnvironment('PORTAL_BASE_URL', this.web.url);
    }

    new CfnOutput(this, 'Url', { description: 'XtraMail console and portal', value: this.web.url });
    new CfnOutput(this, 'DistributionId', { value: this.web.distribution.distributionId });
    new CfnOutput(this, 'MailBucketName', { value: mailBucket.bucketName });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'IngestFunctionName', { value: this.mailIntake.ingestFunction.functionName });
    new CfnOutput(this, 'IngestDeadLetterQueueUrl', {
      description: 'Failed ingest events; re-drive with npm run replay-dlq -- --queue-url … --function …',
      value: this.mailIntake.deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'DeliveryQueueUrl', {
      description: 'Mail Flow delivery jobs (the deliver function consumes them)',
      value: this.mailFlow.queue.queueUrl,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Operational alarms; subscribe more addresses or a chat webhook here',
      value: this.alerts.topic.topicArn,
    });
    new CfnOutput(this, 'DeliveryDeadLetterQueueUrl', { value: this.mailFlow.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'ReceiptRuleSetName', { value: this.mailIntake.ruleSet.receiptRuleSetName });
    new CfnOutput(this, 'BootstrapAdminEmail', { value: this.config.bootstrapAdminEmail });
    new CfnOutput(this, 'BootstrapAdminPasswordSecret', {
      description:
        'Read the initial admin password once: aws secretsmanager get-secret-value --secret-id <this ARN> --query SecretString --output text',
      value: this.bootstrapAdmin.passwordSecret.secretArn,
    });
  }
}
