import { Match } from 'aws-cdk-lib/assertions';
import {
  buildStack,
  getAtt,
  logicalId,
  MANAGED_CONFIG,
  resourcesOf,
  ofType as ofTypeIn,
} from './stack-fixture';

const { stack, template } = buildStack({ config: MANAGED_CONFIG });
const intake = stack.mailIntake;
const ingestId = logicalId(intake.ingestFunction);
const dlqId = logicalId(intake.deadLetterQueue);
const mailBucketId = logicalId(stack.storage.mailBucket);
const ruleSetId = logicalId(intake.ruleSet);

const resources = resourcesOf(template);
const ofType = (type: string) => ofTypeIn(template, type);

describe('MailIntake: receipt rule', () => {
  const [rule] = ofType('AWS::SES::ReceiptRule');

  test('is the single rule of the rule set, with spam/virus scanning and TLS required', () => {
    expect(ofType('AWS::SES::ReceiptRule')).toHaveLength(1);
    template.resourceCountIs('AWS::SES::ReceiptRuleSet', 1);
    expect(rule.Properties.RuleSetName).toEqual({ Ref: ruleSetId });
    expect(rule.Properties.Rule).toMatchObject({ Enabled: true, ScanEnabled: true, TlsPolicy: 'Require' });
  });

  test('stores the raw message under incoming/ first, then invokes ingest asynchronously', () => {
    const actions = rule.Properties.Rule.Actions;
    expect(actions).toHaveLength(2);
    expect(actions[0]).toEqual({
      S3Action: { BucketName: { Ref: mailBucketId }, ObjectKeyPrefix: 'incoming/' },
    });
    expect(actions[1]).toEqual({
      LambdaAction: { FunctionArn: getAtt(ingestId), InvocationType: 'Event' },
    });
  });

  test('receives mail for the managed domains only', () => {
    expect(rule.Properties.Rule.Recipients).toEqual(['example.com', 'example.org']);
  });

  test('is a catch-all rule when no managed domains are configured', () => {
    const catchAll = buildStack().template;
    catchAll.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({ Recipients: Match.absent() }),
    });
    catchAll.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MANAGED_DOMAINS: '' }) },
    });
  });

  test('lets SES write incoming/* only, for this account only', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: mailBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Principal: { Service: 'ses.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [getAtt(mailBucketId), '/incoming/*']] },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ]),
      },
    });
  });

  test('lets SES invoke ingest for this account only', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: getAtt(ingestId),
      Action: 'lambda:InvokeFunction',
      Principal: 'ses.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });
});

describe('MailIntake: rule set activation', () => {
  const [activation] = ofType('Custom::XtraMailActiveReceiptRuleSet');
  const call = (json: unknown) => JSON.stringify(json);

  test('activates the rule set on create and update', () => {
    expect(activation).toBeDefined();
    for (const when of ['Create', 'Update']) {
      const text = call(activation.Properties[when]);
      expect(text).toContain('setActiveReceiptRuleSet');
      expect(text).toContain(`"Ref":"${ruleSetId}"`);
      expect(text).toContain('xtramail-active-receipt-rule-set');
    }
  });

  test('deactivates (no rule set name) on delete, so the rule set can be deleted', () => {
    expect(JSON.parse(activation.Properties.Delete)).toEqual({
      service: 'SES',
      action: 'setActiveReceiptRuleSet',
      parameters: {},
    });
  });

  test('runs after the rule exists, with only ses:SetActiveReceiptRuleSet', () => {
    const entry = Object.entries(template.toJSON().Resources).find(
      ([, r]) => (r as { Type: string }).Type === 'Custom::XtraMailActiveReceiptRuleSet',
    )!;
    expect((entry[1] as { DependsOn: string[] }).DependsOn).toContain(logicalId(intake.rule));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: 'ses:SetActiveReceiptRuleSet', Resource: '*' }],
      },
    });
  });
});

describe('MailIntake: ingest function', () => {
  test('gets the table, the bucket and the managed domains', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: { Ref: logicalId(stack.storage.table) },
          MAIL_BUCKET: { Ref: mailBucketId },
          MANAGED_DOMAINS: 'example.com,example.org',
          // The young-generation cap the 40 MB benchmark's memory figure depends on.
          NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=4',
        }),
      },
      MemorySize: 512,
      Timeout: 120,
    });
  });

  test('sends failed events to an encrypted, TLS-only DLQ after 2 retries, within 6 hours', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: ingestId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: getAtt(dlqId) } },
    });
    expect(resources[dlqId].Properties).toMatchObject({ SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('raises an alarm as soon as the DLQ holds a message', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(dlqId, 'QueueName') }],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
    });
  });

  test('has least privilege: read incoming/*, write body/* and att/*, use the table and the DLQ', () => {
    const role = intake.ingestFunction.role!;
    const policy = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: logicalId(role) }]),
    )!;
    const statements: Array<{ Action: string | string[]; Resource: unknown }> =
      policy.Properties.PolicyDocument.Statement;
    const s3 = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [getAtt(mailBucketId), `/${prefix}*`]] });
    expect(s3).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects('incoming/') },
      {
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: [objects('att/'), objects('body/')],
      },
    ]);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query', 'sqs:SendMessage']),
    );
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });
});
