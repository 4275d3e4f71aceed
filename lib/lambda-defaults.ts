import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The repository root: `package-lock.json`, `lambdas/` and `web/` live here. */
export const REPO_ROOT = path.resolve(__dirname, '..');

/**
 * The Lambda runtime of every XtraMail function: Node.js 24 (Lambda deprecation April 2028), the
 * newest runtime available in every region (aws-cdk-lib's `Runtime.NODEJS_LATEST`, pinned so a
 * CDK upgrade never changes it silently). nodejs20.x is deprecated; nodejs22.x is the oldest we
 * would accept. test/infra/lambda-defaults.test.ts fails when CDK moves NODEJS_LATEST: bump then.
 */
export const XTRAMAIL_RUNTIME = Runtime.NODEJS_24_X;

/** esbuild target matching {@link XTRAMAIL_RUNTIME} (`nodejs24.x` → `node24`). */
export const ESBUILD_TARGET = XTRAMAIL_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1');

/**
 * Gives bundled ES modules a `require` so CommonJS dependencies (mailparser, …) that call
 * `require('node:…')` keep working inside an `.mjs` bundle.
 */
const ESM_REQUIRE_SHIM =
  "import { createRequire as __xtramailCreateRequire } from 'node:module'; const require = __xtramailCreateRequire(import.meta.url);";

/**
 * The only per-function settings. Everything else (runtime, architecture, bundling, tracing,
 * logging) is decided once, here.
 */
export interface XtraMailFunctionProps {
  /**
   * The handler module, relative to the repository root, for example
   * `lambdas/handlers/ingest.ts`. It must export `handler`.
   */
  readonly entry: string;

  /**
   * Environment variables for the function. `NODE_OPTIONS=--enable-source-maps` is always set.
   *
   * @default - only `NODE_OPTIONS`
   */
  readonly environment?: Record<string, string>;

  /**
   * Extra Node.js/V8 flags, appended to `--enable-source-maps` in `NODE_OPTIONS`.
   *
   * @default - none
   */
  readonly nodeFlags?: readonly string[];

  /**
   * The function timeout.
   *
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;

  /**
   * Memory in MB (CPU scales with it).
   *
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * How long the function's log group keeps events.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;

  /**
   * A description for the function.
   *
   * @default - no description
   */
  readonly description?: string;
}

/**
 * A `NodejsFunction` with XtraMail's defaults, set once (pattern: Powertools'
 * `examples/app/cdk` `FunctionWithLogGroup`):
 * - runtime {@link XTRAMAIL_RUNTIME} on arm64, handler export `handler`;
 * - local esbuild bundling (no Docker): ESM, minified, source maps, the AWS SDK bundled too;
 * - its own log group with a retention period, and a role that may write only to that log group
 *   (no `AWSLambdaBasicExecutionRole`, whose `logs:*` actions apply to every log group);
 * - X-Ray tracing ACTIVE and `NODE_OPTIONS=--enable-source-maps`.
 */
export class XtraMailFunction extends NodejsFunction {
  public constructor(scope: Construct, id: string, props: XtraMailFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the XtraMail function ${id}`,
    });

    super(scope, id, {
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: XTRAMAIL_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      description: props.description,
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      environment: {
        ...props.environment,
        NODE_OPTIONS: ['--enable-source-maps', ...(props.nodeFlags ?? [])].join(' '),
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_SHIM,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        target: ESBUILD_TARGET,
        // The AWS SDK is bundled rather than taken from the runtime, so a function runs the SDK
        // version its tests ran: the adapters rely on lib-storage, util-dynamodb and options such
        // as `cacheMiddleware`, which the runtime's copy may lack or treat differently.
        externalModules: [],
      },
    });

    logGroup.grantWrite(role);

    // Tracing ACTIVE adds xray:PutTraceSegments/PutTelemetryRecords on "*" to the default policy.
    // test/infra/nag.test.ts asserts that "*" in these policies only ever carries X-Ray actions.
    Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions, so active tracing needs Resource "*"; no other statement in this policy uses "*".',
    });
    Validations.of(this.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-L1',
      reason: `Pinned to ${XTRAMAIL_RUNTIME.name} on purpose: aws-cdk-lib's Runtime.NODEJS_LATEST, the newest Node.js runtime available in every region (Lambda support until April 2028). cdk-nag compares with the newest runtime CDK lists, which is not available everywhere yet.`,
    });
  }
}
