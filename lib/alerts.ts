import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface OperatorAlertsProps {
  /** Who is emailed when an alarm fires (SNS asks them to confirm first); none leaves the topic for you to subscribe. */
  readonly email?: string;
}

/**
 * One topic for every operational alarm of the deployment (mail that could not be ingested or
 * delivered, a domain's Mail Flow turning Bad), so the operator subscribes once.
 */
export class OperatorAlerts extends Construct {
  public readonly topic: Topic;

  public constructor(scope: Construct, id: string, props: OperatorAlertsProps = {}) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      displayName: 'XtraMail alarms',
      // The AWS-managed SNS key: encrypted at rest without a customer key to rotate and pay for.
      masterKey: Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
  }

  public notifyOn(...alarms: Alarm[]): void {
    for (const alarm of alarms) alarm.addAlarmAction(new SnsAction(this.topic));
  }
}
