import { Match } from 'aws-cdk-lib/assertions';
import { buildStack, getAtt, logicalId, MANAGED_CONFIG, ofType as ofTypeIn } from './stack-fixture';

const { stack, template } = buildStack({ config: MANAGED_CONFIG });
const flow = stack.mailFlow;
const queueId = logicalId(flow.queue);
const dlqId = logicalId(flow.deadLetterQueue);
const ofType = (type: string) => ofTypeIn(template, type);

function statementsOf(fn: { role?: unknown }): Array<{ Action: string | string[]; Resource: unknown }> {
  const roleId = logicalId(fn.role as { node: { defaultChild?: unknown } });
  const policy = ofType('AWS::IAM::Policy').find(
    (p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
  );
  return policy!.Properties.PolicyDocument.Statement;
}

const actionsOf = (fn: { role?: unknown }) => statementsOf(fn).flatMap((s) => [s.Action].flat());

describe('MailFlow: delivery queue', () => {
  test('is encrypted, with a dead-letter queue after 5 receives and 14 days retention', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: getAtt(dlqId), maxReceiveCount: 5 },
    });
  });

  test('both queues refuse requests without TLS', () => {
    for (const id of [queueId, dlqId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  test('an alarm watches the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [{ Name: 'QueueName', Value: getAtt(dlqId, 'QueueName') }],
      Threshold: 1,
    });
  });
});

describe('MailFlow: deliver function', () => {
  const deliverId = logicalId(flow.deliverFunction);

  test('consumes the queue with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: deliverId },
      EventSourceArn: getAtt(queueId),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('knows the table, the bucket and the queue', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectLike({ QUEUE_URL: { Ref: queueId }, TABLE_NAME: Match.anyValue() }),
      },
      Timeout: 60,
    });
  });

  test('reads only incoming/ of the bucket and only xtramail/smtp/* secrets, and sends alerts from managed domains', () => {
    const actions = actionsOf(flow.deliverFunction);
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual(['s3:GetObject']);
    expect(actions.filter((a) => a.startsWith('secretsmanager:'))).toEqual(['secretsmanager:GetSecretValue']);
    expect(actions).toEqual(expect.arrayContaining(['sqs:SendMessage', 'ses:SendRawEmail']));
    const secretStatement = statementsOf(flow.deliverFunction).find(
      (s) => s.Action === 'secretsmanager:GetSecretValue',
    );
    expect(JSON.stringify(secretStatement?.Resource)).toContain(':secret:xtramail/smtp/*');
  });
});

test('mails queued invitation and fire-drill links from the same SES identities as the API functions', () => {
  const sesStatement = (fn: { role?: unknown }) =>
    statementsOf(fn).find(
      (s) => JSON.stringify(s.Action) === JSON.stringify(['ses:SendEmail', 'ses:SendRawEmail']),
    );
  const deliver = sesStatement(flow.deliverFunction);
  expect(deliver).toBeDefined();
  expect(JSON.stringify(deliver!.Resource)).toContain(':identity/example.com');
  expect(deliver!.Resource).toEqual(sesStatement(stack.api.consoleFunction)!.Resource);
});

test('an hourly rule sends the deliver function the held-mail sweep', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: 'rate(1 hour)',
    Targets: [
      Match.objectLike({
        Arn: getAtt(logicalId(flow.deliverFunction)),
        Input: JSON.stringify({ sweep: 'held-mail' }),
      }),
    ],
  });
});

describe('MailFlow: producers', () => {
  test.each([
    ['ingest', stack.mailIntake.ingestFunction],
    ['console API', stack.api.consoleFunction],
  ])('%s may send to the delivery queue and knows its URL', (_name, fn) => {
    const onQueue = statementsOf(fn).filter((s) => JSON.stringify(s.Resource).includes(queueId));
    expect(onQueue.flatMap((s) => [s.Action].flat())).toContain('sqs:SendMessage');
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      Description: fn === stack.api.consoleFunction ? Match.stringLikeRegexp('console') : Match.anyValue(),
      Environment: { Variables: Match.objectLike({ QUEUE_URL: { Ref: queueId } }) },
    });
  });

  test('the portal may not queue deliveries', () => {
    expect(actionsOf(stack.api.portalFunction).filter((a) => a.startsWith('sqs:'))).toEqual([]);
  });
});

describe('MailFlow: alarms', () => {
  const topicId = logicalId(stack.alerts.topic);

  test('an alarm fires when the deliver function reports a domain turning Bad, and notifies the topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'XtraMail',
      MetricName: 'MailFlowBad',
      Dimensions: [{ Name: 'service', Value: 'deliver' }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
  });

  test('the dead-letter alarm notifies the same topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [{ Name: 'QueueName', Value: getAtt(dlqId, 'QueueName') }],
      AlarmActions: [{ Ref: topicId }],
    });
  });

  test('the ingest dead-letter alarm notifies the same topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [
        { Name: 'QueueName', Value: getAtt(logicalId(stack.mailIntake.deadLetterQueue), 'QueueName') },
      ],
      AlarmActions: [{ Ref: topicId }],
    });
  });

  test('the configured admin is subscribed by email; a fresh clone subscribes nobody', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: MANAGED_CONFIG.bootstrapAdminEmail,
      TopicArn: { Ref: topicId },
    });
    buildStack().template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('the topic is encrypted and refuses publishing without TLS', () => {
    const [topic] = ofType('AWS::SNS::Topic');
    expect(JSON.stringify(topic.Properties.KmsMasterKeyId)).toContain(':alias/aws/sns');
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});
