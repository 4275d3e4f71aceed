import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  Function as CloudFrontFunction,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { ORIGIN_VERIFY_HEADER } from '../lambdas/handlers/http/origin-guard';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { XtraMailConfig } from './config';
import { REPO_ROOT } from './lambda-defaults';
import { nagResource } from './nag';
import { API_CONTENT_SECURITY_POLICY } from '../lambdas/handlers/http/headers';
import { contentSecurityPolicy, HSTS_MAX_AGE_SECONDS, securityHeaders } from './security-headers';

export interface WebProps {
  /** `<apiId>.execute-api.<region>.<urlSuffix>`, the origin of `/api/*`. */
  readonly apiDomainName: string;
  /** Sent to the API with every request, so the API can refuse callers that bypass CloudFront. */
  readonly originVerifySecret: ISecret;
  /** Receives S3 server access logs of the site bucket and CloudFront standard logs (ACLs enabled). */
  readonly logBucket: Bucket;
  /** Serve on this domain with this us-east-1 ACM certificate (TLS 1.2_2021 minimum). */
  readonly customDomain?: XtraMailConfig['customDomain'];
  /** Origin(s) of the mail bucket's presigned URLs, which the CSP must let the SPA reach. */
  readonly mailBucketOrigin: string;
}

/**
 * CloudFront viewer-request function of the default (SPA) behavior. It serves `/index.html` for
 * client-side routes: everything under `/console` and `/portal` (whose paths may contain dots,
 * e.g. `/console/domains/example.com`), and any other path whose last segment has no file
 * extension. Files keep their path, so a missing asset stays an error rather than HTML; `/api/*`
 * has its own behavior and never passes here.
 */
export const SPA_ROUTING_FUNCTION_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var appRoute = ['/console', '/portal'].some(function (base) {
    return uri === base || uri.indexOf(base + '/') === 0;
  });
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (appRoute || last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}`;

/** Hashed build output (`assets/*`) is cached for a year; everything else is revalidated. */
const IMMUTABLE = CacheControl.fromString('public, max-age=31536000, immutable');
const REVALIDATE = CacheControl.fromString('no-cache');

/**
 * The web front end: the SPA in a private bucket behind CloudFront (Origin Access Control), and
 * `/api/*` forwarded uncached to the HTTP API. Both behaviors send the same security headers as
 * the local server (`lib/security-headers.ts`), except that `/api/*` keeps the CSP and frame
 * options the API sets.
 */
export class Web extends Construct {
  public readonly siteBucket: Bucket;
  public readonly distribution: Distribution;
  /** The SPA's security headers. */
  public readonly responseHeadersPolicy: ResponseHeadersPolicy;
  /** `/api/*`: the same, except that the API's own CSP and frame options are kept. */
  public readonly apiResponseHeadersPolicy: ResponseHeadersPolicy;
  /** The SPA build (`npm run build:web` → `web/dist`), bundled at synth time. */
  public readonly spaAsset: Asset;
  /** `https://` + the custom domain, or the distribution's own domain name. */
  public readonly url: string;

  public constructor(scope: Construct, id: string, props: WebProps) {
    super(scope, id);
    const { logBucket, customDomain } = props;
    const headers = securityHeaders({ mailBucketOrigin: props.mailBucketOrigin });

    this.siteBucket = new Bucket(this, 'SiteBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: logBucket,
      serverAccessLogsPrefix: 's3/site/',
    });

    const headersPolicy = (
      id: string,
      comment: string,
      frame: { csp: string; frameOption: HeadersFrameOption; override: boolean },
    ) =>
      new ResponseHeadersPolicy(this, id, {
        comment,
        securityHeadersBehavior: {
          contentSecurityPolicy: { contentSecurityPolicy: frame.csp, override: frame.override },
          strictTransportSecurity: {
            accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS),
            includeSubdomains: true,
            preload: true,
            override: true,
          },
          frameOptions: { frameOption: frame.frameOption, override: frame.override },
          contentTypeOptions: { override: true },
          referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        },
        customHeadersBehavior: {
          customHeaders: [
            { header: 'Permissions-Policy', value: headers['Permissions-Policy'], override: true },
          ],
        },
      });
    this.responseHeadersPolicy = headersPolicy(
      'SecurityHeaders',
      'XtraMail security headers (lib/security-headers.ts)',
      {
        csp: contentSecurityPolicy({ mailBucketOrigin: props.mailBucketOrigin }),
        frameOption: HeadersFrameOption.DENY,
        override: true,
      },
    );
    // The API sets its own CSP and frame options on every response (strict by default; the
    // message body document is framed by the portal under its own policy), so CloudFront keeps
    // them and only fills them in, just as strict, on responses that lack them.
    this.apiResponseHeadersPolicy = headersPolicy(
      'ApiSecurityHeaders',
      "XtraMail API security headers: the origin's CSP and frame options win",
      { csp: API_CONTENT_SECURITY_POLICY, frameOption: HeadersFrameOption.DENY, override: false },
    );

    const spaRouting = new CloudFrontFunction(this, 'SpaRouting', {
      runtime: FunctionRuntime.JS_2_0,
      comment: 'XtraMail: serve /index.html for client-side routes',
      code: FunctionCode.fromInline(SPA_ROUTING_FUNCTION_CODE),
    });

    const apiOrigin = new HttpOrigin(props.apiDomainName, {
      // A CloudFormation dynamic reference: the value never appears in the template itself.
      customHeaders: { [ORIGIN_VERIFY_HEADER]: props.originVerifySecret.secretValue.unsafeUnwrap() },
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'XtraMail console and portal',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      ...(customDomain && {
        domainNames: [customDomain.domainName],
        certificate: Certificate.fromCertificateArn(this, 'Certificate', customDomain.certificateArn),
        minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      }),
      enableLogging: true,
      logBucket,
      logFilePrefix: 'cloudfront/',
      logIncludesCookies: false,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.siteBucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        functionAssociations: [{ function: spaRouting, eventType: FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
      additionalBehaviors: {
        '/api/*': {
          origin: apiOrigin,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.apiResponseHeadersPolicy,
        },
      },
    });
    this.url = `https://${customDomain?.domainName ?? this.distribution.distributionDomainName}`;

    this.spaAsset = new Asset(this, 'Spa', {
      path: REPO_ROOT,
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never used: local bundling always succeeds or throws. Docker is not needed to deploy.
        image: DockerImage.fromRegistry('node:22'),
        command: ['sh', '-c', 'echo "XtraMail builds the SPA locally with npm run build:web" >&2; exit 1'],
        local: { tryBundle: (outputDir) => buildSpa(outputDir) },
      },
    });
    this.deploySpa();

    this.acknowledgeNagFindings(customDomain !== undefined);
  }

  /**
   * Two deployments of the same build: hashed `assets/*` first (immutable, never pruned so
   * open tabs keep working), then everything else (revalidated, pruned) with an invalidation.
   */
  private deploySpa(): void {
    const source = Source.bucket(this.spaAsset.bucket, this.spaAsset.s3ObjectKey);
    const logGroup = new LogGroup(this, 'DeploymentLogGroup', { retention: RetentionDays.ONE_MONTH });
    const role = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Execution role of the SPA BucketDeployment handler',
    });
    logGroup.grantWrite(role);

    const assets = new BucketDeployment(this, 'DeployAssets', {
      sources: [source],
      destinationBucket: this.siteBucket,
      exclude: ['*'],
      include: ['assets/*'],
      prune: false,
      cacheControl: [IMMUTABLE],
      logGroup,
      role,
    });
    const shell = new BucketDeployment(this, 'DeployShell', {
      sources: [source],
      destinationBucket: this.siteBucket,
      exclude: ['assets/*'],
      prune: true,
      cacheControl: [REVALIDATE],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      logGroup,
      role,
    });
    shell.node.addDependency(assets);

    // BucketDeployment writes these statements into the role; they are CDK's, not ours.
    const policy = role.node.findChild('DefaultPolicy');
    const assetBucketObjects = nagResource(this, `${this.spaAsset.bucket.bucketArn}/*`);
    const siteObjects = nagResource(this, this.siteBucket.arnForObjects('*'));
    const ack = (finding: string, reason: string) =>
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    const copyReason =
      'BucketDeployment (aws-cdk-lib) copies the SPA build from the CDK assets bucket into the site bucket with aws s3 sync; CDK grants these read actions on the asset bucket and read/write/delete on the site bucket only.';
    for (const action of ['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*']) {
      ack(`Action::${action}`, copyReason);
    }
    ack(`Resource::${assetBucketObjects}`, `${copyReason} The asset object key is content-addressed.`);
    ack(`Resource::${siteObjects}`, `${copyReason} Every object of the site bucket belongs to the SPA.`);
    ack(
      'Resource::*',
      'BucketDeployment (aws-cdk-lib) grants cloudfront:CreateInvalidation/GetInvalidation on "*" to invalidate the distribution after a deployment; those are the only actions on "*".',
    );
    for (const handler of bucketDeploymentHandlers(Stack.of(this))) {
      Validations.of(handler.node.defaultChild!).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          'CDK-managed BucketDeployment singleton (Python with the AWS CLI layer); aws-cdk-lib chooses and updates its runtime.',
      });
    }
  }

  private acknowledgeNagFindings(hasCustomDomain: boolean): void {
    const distribution = this.distribution;
    Validations.of(distribution.node.defaultChild!).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Partners, admins and users sign in from anywhere; there is no country to block. The API authenticates every request.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF web ACL by default (cost). The API throttles at the stage and the handlers throttle sign-in attempts; attach a web ACL with webAclId when required.',
      },
    );
    if (!hasCustomDomain) {
      Validations.of(distribution.node.defaultChild!).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without customDomainName/certificateArn the distribution uses the default *.cloudfront.net certificate, whose security policy CloudFront fixes; configure a custom domain to get TLSv1.2_2021.',
      });
    }
  }
}

/**
 * Runs `npm run build:web` (Vite writes `web/dist`) and copies the result into the asset's
 * output directory. Throws with the reason when the build fails, so Docker is never tried.
 */
function buildSpa(outputDir: string): boolean {
  const result = spawnSync('npm', ['run', 'build:web'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', process.stderr, 'inherit'],
    env: process.env,
  });
  if (result.error || result.status !== 0) {
    throw new Error(
      `Building the SPA failed (npm run build:web exited with ${result.error?.message ?? result.status}). ` +
        'Fix the web build, then run cdk synth again.',
    );
  }
  const dist = path.join(REPO_ROOT, 'web', 'dist');
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`npm run build:web did not produce ${path.join(dist, 'index.html')}.`);
  }
  fs.cpSync(dist, outputDir, { recursive: true });
  return true;
}

/** The stack-level singleton handler of every BucketDeployment in `stack` (there is one per memory size). */
export function bucketDeploymentHandlers(stack: Stack) {
  return stack.node.children.filter((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
}
