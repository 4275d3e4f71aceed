import { Fn, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { XtraMailFunction } from './lambda-defaults';
import { nagResource } from './nag';
import { MAIL_PREFIXES } from './storage';

export interface ApiProps {
  readonly table: ITable;
  readonly mailBucket: Bucket;
  /** The portal may send mail only from these domains' SES identities (any identity when empty). */
  readonly managedDomains: readonly string[];
}

/** Default-stage throttling for the whole API (requests per second, and burst). */
export const API_THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;

/**
 * The HTTP API behind CloudFront's `/api/*`: the console function (admins, and the OpenAPI
 * document) and the portal function (users). Sessions are signed with a generated key kept in
 * Secrets Manager; the functions authenticate every request themselves.
 */
export class Api extends Construct {
  public readonly httpApi: HttpApi;
  /** The `$default` stage, with access logging and throttling. */
  public readonly stage: HttpStage;
  public readonly accessLogGroup: LogGroup;
  public readonly consoleFunction: XtraMailFunction;
  public readonly portalFunction: XtraMailFunction;
  /** The session (JWT) signing key: 64 generated alphanumeric characters. */
  public readonly jwtSecret: Secret;
  /** The key TOTP secrets are sealed with before they are stored. */
  public readonly mfaKeySecret: Secret;
  /** CloudFront sends this with every API request; the handlers refuse requests without it. */
  public readonly originVerifySecret: Secret;
  /** `<apiId>.execute-api.<region>.<urlSuffix>`: the origin CloudFront forwards `/api/*` to. */
  public readonly originDomainName: string;

  public constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { table, mailBucket, managedDomains } = props;
    const stack = Stack.of(this);

    this.jwtSecret = new Secret(this, 'JwtSecret', {
      description: 'XtraMail session signing key (HMAC) for the console and portal JWTs',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });

    this.mfaKeySecret = new Secret(this, 'MfaKeySecret', {
      description: 'XtraMail: the key TOTP secrets are sealed with (AES-256-GCM) before they are stored',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });

    this.originVerifySecret = new Secret(this, 'OriginVerifySecret', {
      description: 'XtraMail: the header value CloudFront adds to API requests, proving they came through it',
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });

    const environment = {
      TABLE_NAME: table.tableName,
      MAIL_BUCKET: mailBucket.bucketName,
      JWT_SECRET_ARN: this.jwtSecret.secretArn,
      ORIGIN_VERIFY_SECRET_ARN: this.originVerifySecret.secretArn,
      MFA_KEY_SECRET_ARN: this.mfaKeySecret.secretArn,
    };
    this.consoleFunction = new XtraMailFunction(this, 'ConsoleApi', {
      entry: 'lambdas/handlers/console-api.ts',
      description: 'XtraMail console API (/api/console/*, /api/openapi.json)',
      environment,
    });
    this.portalFunction = new XtraMailFunction(this, 'PortalApi', {
      entry: 'lambdas/handlers/portal-api.ts',
      description: 'XtraMail portal API (/api/portal/*)',
      environment,
    });

    for (const fn of [this.consoleFunction, this.portalFunction]) {
      table.grantReadWriteData(fn);
      this.jwtSecret.grantRead(fn);
      this.originVerifySecret.grantRead(fn);
      this.mfaKeySecret.grantRead(fn);
    }

    // The portal reads messages (raw .eml, bodies, attachments through presigned URLs), files
    // copies of sent mail, and sends through SES from the managed domains only.
    const objects = (prefix: string) => mailBucket.arnForObjects(`${prefix}*`);
    const readable = [MAIL_PREFIXES.incoming, MAIL_PREFIXES.body, MAIL_PREFIXES.attachments].map(objects);
    const writable = [MAIL_PREFIXES.body, MAIL_PREFIXES.attachments].map(objects);
    this.portalFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: readable }),
    );
    this.portalFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: writable }),
    );
    const identityArn = (name: string) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
    const identities = managedDomains.length > 0 ? managedDomains.map(identityArn) : [identityArn('*')];
    // The console mails portal invitations and fire-drill links from the users' own domains.
    for (const fn of [this.portalFunction, this.consoleFunction]) {
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['ses:SendRawEmail', 'ses:SendEmail'], resources: identities }),
      );
    }

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'XtraMail API, reached through CloudFront at /api/*',
      createDefaultStage: false,
    });
    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { ...API_THROTTLE },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            responseLength: '$context.responseLength',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });

    const consoleIntegration = new HttpLambdaIntegration('Console', this.consoleFunction);
    const portalIntegration = new HttpLambdaIntegration('Portal', this.portalFunction);
    const routes = [
      ...this.httpApi.addRoutes({
        path: '/api/console/{proxy+}',
        methods: [HttpMethod.ANY],
        integration: consoleIntegration,
      }),
      ...this.httpApi.addRoutes({
        path: '/api/openapi.json',
        methods: [HttpMethod.GET],
        integration: consoleIntegration,
      }),
      ...this.httpApi.addRoutes({
        path: '/api/portal/{proxy+}',
        methods: [HttpMethod.ANY],
        integration: portalIntegration,
      }),
    ];
    for (const route of routes) {
      Validations.of(route.node.defaultChild!).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Authorization happens in the handlers: sign-in routes must be public, and every other route checks the session cookie or API token (jose-signed JWT, Bearer token) before doing anything.',
      });
    }

    this.originDomainName = Fn.join('.', [this.httpApi.apiId, 'execute-api', stack.region, stack.urlSuffix]);

    this.acknowledgeNagFindings(mailBucket, identities);
  }

  private acknowledgeNagFindings(mailBucket: Bucket, identities: string[]): void {
    Validations.of(this.jwtSecret.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Session signing key of short-lived JWTs. Rotation is manual (put a new random value); it signs everyone out, which is acceptable, so no rotation Lambda is deployed.',
    });

    Validations.of(this.mfaKeySecret.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Seals stored TOTP secrets. Rotating it without re-sealing them would lock every enrolled user out of two-step sign-in, so it is not rotated automatically; no rotation Lambda is deployed.',
    });

    Validations.of(this.originVerifySecret.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Shared secret between CloudFront and the API handlers. CloudFront reads it only at deploy time, so a rotation Lambda would break the API until the next deploy; rotate by putting a new value and redeploying.',
    });

    const portalPolicy = this.portalFunction.role!.node.findChild('DefaultPolicy');
    const prefixes = [MAIL_PREFIXES.incoming, MAIL_PREFIXES.body, MAIL_PREFIXES.attachments];
    for (const prefix of prefixes) {
      Validations.of(portalPolicy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagResource(this, mailBucket.arnForObjects(`${prefix}*`))}]`,
        reason: `The portal reads (and for body/ and att/ writes) per-message objects under ${prefix}; the grant is that prefix of the mail bucket only.`,
      });
    }
    const consolePolicy = this.consoleFunction.role!.node.findChild('DefaultPolicy');
    for (const identity of identities.filter((arn) => arn.endsWith('/*'))) {
      for (const policy of [portalPolicy, consolePolicy]) {
        Validations.of(policy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagResource(this, identity)}]`,
          reason:
            'No managedDomains configured (catch-all deployment): the portal and console may send from any SES identity of this account and region. Configure managedDomains to narrow this to their identities.',
        });
      }
    }
  }
}
