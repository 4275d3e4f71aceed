import * as vm from 'node:vm';
import { Match } from 'aws-cdk-lib/assertions';
import { API_CONTENT_SECURITY_POLICY } from '../../lambdas/handlers/http/headers';
import { ORIGIN_VERIFY_HEADER } from '../../lambdas/handlers/http/origin-guard';
import { HSTS_MAX_AGE_SECONDS } from '../../lib/security-headers';
import { SPA_ROUTING_FUNCTION_CODE } from '../../lib/web';
import { buildStack, logicalId, MANAGED_CONFIG, resourcesOf, ofType as ofTypeIn } from './stack-fixture';

/** Managed IDs of CloudFront's predefined policies. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

const { stack, template } = buildStack();
const resources = resourcesOf(template);
const ofType = (type: string) => ofTypeIn(template, type);
const [distribution] = ofType('AWS::CloudFront::Distribution');
const config = distribution.Properties.DistributionConfig;
const apiBehavior = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/api/*');
const originById = (id: string) => config.Origins.find((o: { Id: string }) => o.Id === id);
const headersPolicyId = logicalId(stack.web.responseHeadersPolicy);
const apiHeadersPolicyId = logicalId(stack.web.apiResponseHeadersPolicy);
const securityHeadersOf = (id: string) =>
  resources[id].Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;

describe('Web: site bucket', () => {
  test('is private, encrypted and TLS-only', () => {
    const bucketId = logicalId(stack.web.siteBucket);
    expect(resources[bucketId].Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
          }),
        ]),
      },
    });
  });
});

describe('Web: distribution', () => {
  test('serves the bucket through Origin Access Control, not an origin access identity', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    const s3Origin = originById(config.DefaultCacheBehavior.TargetOriginId);
    expect(s3Origin.OriginAccessControlId).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/OriginAccessControl/), 'Id'],
    });
    expect(s3Origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(config.DefaultRootObject).toBe('index.html');
  });

  test('routes client-side paths with a CloudFront Function, not distribution-wide error pages', () => {
    expect(config.CustomErrorResponses).toBeUndefined();
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: expect.anything() },
    ]);
    expect(apiBehavior.FunctionAssociations).toBeUndefined();
  });

  test('forwards /api/* to the HTTP API over HTTPS, uncached, with every method and viewer data', () => {
    expect(apiBehavior).toMatchObject({
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
    });
    const apiOrigin = originById(apiBehavior.TargetOriginId);
    expect(apiOrigin.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    expect(apiOrigin.DomainName).toEqual({
      'Fn::Join': [
        '.',
        [
          { Ref: logicalId(stack.api.httpApi) },
          'execute-api',
          { Ref: 'AWS::Region' },
          { Ref: 'AWS::URLSuffix' },
        ],
      ],
    });
  });

  test('redirects the SPA to HTTPS and attaches a security headers policy to each behavior', () => {
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: headersPolicyId });
    expect(apiBehavior.ResponseHeadersPolicyId).toEqual({ Ref: apiHeadersPolicyId });
    template.resourceCountIs('AWS::CloudFront::ResponseHeadersPolicy', 2);
  });

  test('writes standard logs to the log bucket', () => {
    expect(config.Logging).toMatchObject({
      Bucket: { 'Fn::GetAtt': [logicalId(stack.storage.logBucket), 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
    });
  });

  test('uses the custom domain with TLS 1.2_2021 when one is configured', () => {
    const custom = buildStack({ config: MANAGED_CONFIG }).template;
    custom.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['mail.example.net'],
        ViewerCertificate: {
          AcmCertificateArn: MANAGED_CONFIG.certificateArn,
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        },
      }),
    });
  });
});

describe('Web: API origin secret', () => {
  test('CloudFront sends the generated origin secret to the API as a dynamic reference, never the value', () => {
    const apiOrigin = originById(apiBehavior.TargetOriginId);
    const secretId = logicalId(stack.api.originVerifySecret);
    expect(apiOrigin.OriginCustomHeaders).toEqual([
      {
        HeaderName: ORIGIN_VERIFY_HEADER,
        HeaderValue: {
          'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']],
        },
      },
    ]);
    // The viewer address rides on this managed policy's CloudFront headers.
    expect(apiBehavior.OriginRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST_HEADER);
  });
});

describe('Web: response headers policies', () => {
  test('the SPA gets a strict CSP, HSTS with preload, DENY framing, nosniff and no referrer', () => {
    const SecurityHeadersConfig = securityHeadersOf(headersPolicyId);
    expect(SecurityHeadersConfig).toMatchObject({
      ContentSecurityPolicy: { Override: true },
      StrictTransportSecurity: {
        AccessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
        IncludeSubdomains: true,
        Preload: true,
        Override: true,
      },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ContentTypeOptions: { Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
    // The policy names the mail bucket (a token), so it is a CloudFormation join.
    const csp = JSON.stringify(SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).toContain('RegionalDomainName');
    expect(csp).not.toContain('unsafe-inline');
    // Mail is its own document under its own policy; the SPA shows no remote image.
    expect(csp).toMatch(/img-src 'self' data: blob:;/);
    expect(csp).not.toContain('https:;');
  });

  test("/api/* keeps the API's own CSP and frame options; HSTS, nosniff and referrer are enforced", () => {
    const SecurityHeadersConfig = securityHeadersOf(apiHeadersPolicyId);
    expect(SecurityHeadersConfig).toEqual({
      ContentSecurityPolicy: { ContentSecurityPolicy: API_CONTENT_SECURITY_POLICY, Override: false },
      FrameOptions: { FrameOption: 'DENY', Override: false },
      StrictTransportSecurity: {
        AccessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
        IncludeSubdomains: true,
        Preload: true,
        Override: true,
      },
      ContentTypeOptions: { Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
    expect(API_CONTENT_SECURITY_POLICY).toBe("default-src 'none'; frame-ancestors 'none'");
    const custom = resources[apiHeadersPolicyId].Properties.ResponseHeadersPolicyConfig.CustomHeadersConfig;
    expect(custom.Items).toEqual([
      { Header: 'Permissions-Policy', Value: expect.any(String), Override: true },
    ]);
  });
});

describe('Web: SPA routing function', () => {
  const route = (uri: string): string => {
    const context = vm.createContext({});
    vm.runInContext(`${SPA_ROUTING_FUNCTION_CODE}; this.handler = handler;`, context);
    return (context.handler as (e: unknown) => { uri: string })({ request: { uri } }).uri;
  };

  test.each([
    ['/', '/index.html'],
    ['/console', '/index.html'],
    ['/console/domains/example.com/users', '/index.html'],
    ['/console/domains/example.com', '/index.html'],
    ['/portal/messages/abc.def', '/index.html'],
    ['/consoles.txt', '/consoles.txt'],
    ['/portal/inbox', '/index.html'],
    ['/assets/index-abc123.js', '/assets/index-abc123.js'],
    ['/favicon.svg', '/favicon.svg'],
    ['/index.html', '/index.html'],
  ])('%s → %s', (uri, expected) => {
    expect(route(uri)).toBe(expected);
  });
});

describe('Web: SPA deployment', () => {
  test('deploys hashed assets immutable and the rest revalidated, then invalidates', () => {
    const deployments = ofType('Custom::CDKBucketDeployment');
    expect(deployments).toHaveLength(2);
    const assets = deployments.find((d) => JSON.stringify(d.Properties.Include) === '["assets/*"]')!;
    const shell = deployments.find((d) => d !== assets)!;
    expect(assets.Properties).toMatchObject({
      Exclude: ['*'],
      Prune: false,
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    expect(shell.Properties).toMatchObject({
      Exclude: ['assets/*'],
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionPaths: ['/*'],
    });
    expect(shell.Properties.Prune).not.toBe(false);
  });
});
