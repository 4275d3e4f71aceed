import { Match } from 'aws-cdk-lib/assertions';
import { API_THROTTLE } from '../../lib/api';
import {
  buildStack,
  getAtt,
  logicalId,
  MANAGED_CONFIG,
  resourcesOf,
  ofType as ofTypeIn,
} from './stack-fixture';

const { stack, template } = buildStack({ config: MANAGED_CONFIG });
const { api } = stack;
const resources = resourcesOf(template);
const ofType = (type: string) => ofTypeIn(template, type);
const consoleId = logicalId(api.consoleFunction);
const portalId = logicalId(api.portalFunction);
const secretId = logicalId(api.jwtSecret);

/** The function an HTTP API route's integration invokes. */
function routeTarget(routeKey: string): string {
  const route = ofType('AWS::ApiGatewayV2::Route').find((r) => r.Properties.RouteKey === routeKey);
  expect(route).toBeDefined();
  const integrationId = (route!.Properties.Target['Fn::Join'][1] as unknown[])[1] as { Ref: string };
  return resources[integrationId.Ref].Properties.IntegrationUri['Fn::GetAtt'][0];
}

/** The statements of the default policy of a function's role. */
function statementsOf(
  fn: typeof api.portalFunction,
): Array<{ Action: string | string[]; Resource: unknown }> {
  const roleId = logicalId(fn.role!);
  const policy = ofType('AWS::IAM::Policy').find(
    (p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
  );
  return policy!.Properties.PolicyDocument.Statement;
}

describe('Api: routes', () => {
  test('has exactly the console, OpenAPI and portal routes, each to its function', () => {
    expect(
      ofType('AWS::ApiGatewayV2::Route')
        .map((r) => r.Properties.RouteKey)
        .sort(),
    ).toEqual(['ANY /api/console/{proxy+}', 'ANY /api/portal/{proxy+}', 'GET /api/openapi.json']);
    expect(routeTarget('ANY /api/console/{proxy+}')).toBe(consoleId);
    expect(routeTarget('GET /api/openapi.json')).toBe(consoleId);
    expect(routeTarget('ANY /api/portal/{proxy+}')).toBe(portalId);
  });

  test('uses Lambda proxy integrations with payload format 2.0', () => {
    for (const integration of ofType('AWS::ApiGatewayV2::Integration')) {
      expect(integration.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
      });
    }
  });
});

describe('Api: default stage', () => {
  const [stage] = ofType('AWS::ApiGatewayV2::Stage');

  test('auto-deploys $default with throttling', () => {
    expect(ofType('AWS::ApiGatewayV2::Stage')).toHaveLength(1);
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingBurstLimit: API_THROTTLE.burstLimit,
        ThrottlingRateLimit: API_THROTTLE.rateLimit,
      },
    });
  });

  test('writes JSON access logs with request id, ip, route, status and latency to a log group', () => {
    const { DestinationArn, Format } = stage.Properties.AccessLogSettings;
    expect(resources[DestinationArn['Fn::GetAtt'][0]].Type).toBe('AWS::Logs::LogGroup');
    expect(JSON.parse(Format)).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      latency: '$context.responseLatency',
    });
  });
});

describe('Api: functions', () => {
  test('both get TABLE_NAME, MAIL_BUCKET and JWT_SECRET_ARN', () => {
    for (const id of [consoleId, portalId]) {
      expect(resources[id].Properties.Environment.Variables).toMatchObject({
        TABLE_NAME: { Ref: logicalId(stack.storage.table) },
        MAIL_BUCKET: { Ref: logicalId(stack.storage.mailBucket) },
        JWT_SECRET_ARN: { Ref: secretId },
        ORIGIN_VERIFY_SECRET_ARN: { Ref: logicalId(api.originVerifySecret) },
        MFA_KEY_SECRET_ARN: { Ref: logicalId(api.mfaKeySecret) },
      });
    }
  });

  test('the JWT secret is a generated 64-character key', () => {
    expect(resources[secretId].Properties.GenerateSecretString).toMatchObject({
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
  });

  test('both may only read secrets, and only the JWT key, the origin secret and the MFA key', () => {
    const originSecretId = logicalId(api.originVerifySecret);
    for (const fn of [api.consoleFunction, api.portalFunction]) {
      const onSecrets = statementsOf(fn).filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
      expect(onSecrets).toEqual([
        {
          Effect: 'Allow',
          Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
          Resource: [{ Ref: secretId }, { Ref: logicalId(api.mfaKeySecret) }, { Ref: originSecretId }],
        },
      ]);
    }
  });

  test('the portal and the console (invitations, fire drills) send mail from the managed domains only', () => {
    const identity = (domain: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ses:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:identity/${domain}`,
        ],
      ],
    });
    for (const fn of [api.portalFunction, api.consoleFunction]) {
      expect(statementsOf(fn)).toContainEqual({
        Effect: 'Allow',
        Action: ['ses:SendEmail', 'ses:SendRawEmail'],
        Resource: ['example.com', 'example.org'].map(identity),
      });
    }
    const consoleActions = statementsOf(api.consoleFunction).flatMap((s) => [s.Action].flat());
    expect(consoleActions.filter((a) => a.startsWith('s3:'))).toEqual([]);
    expect(consoleActions.filter((a) => a.startsWith('ses:')).sort()).toEqual([
      'ses:SendEmail',
      'ses:SendRawEmail',
    ]);
  });

  test('the portal reads incoming/, body/, att/ and writes body/, att/ of the mail bucket, nothing more', () => {
    const bucketId = logicalId(stack.storage.mailBucket);
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [getAtt(bucketId), `/${prefix}*`]] });
    const s3 = statementsOf(api.portalFunction).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('s3:')),
    );
    expect(s3).toEqual([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [objects('att/'), objects('body/'), objects('incoming/')],
      },
      {
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: [objects('att/'), objects('body/')],
      },
    ]);
  });

  test('without managed domains the portal may send from any identity of the account and region', () => {
    const catchAll = buildStack();
    catchAll.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['ses:SendEmail', 'ses:SendRawEmail'],
            Resource: { 'Fn::Join': ['', Match.arrayWith([':identity/*'])] },
          }),
        ]),
      },
    });
  });
});
