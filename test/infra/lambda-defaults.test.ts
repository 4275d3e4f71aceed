import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { ESBUILD_TARGET, XtraMailFunction, XTRAMAIL_RUNTIME } from '../../lib/lambda-defaults';
import { buildStack, logicalId, xtramailFunctions, resourcesOf } from './stack-fixture';

const { stack, template } = buildStack();
const resources = resourcesOf(template);
const functions = xtramailFunctions(stack);

describe('XtraMailFunction defaults', () => {
  test('the stack has the five XtraMail functions', () => {
    expect(functions.map((f) => f.node.path).sort()).toEqual([
      'XtraMail/Api/ConsoleApi',
      'XtraMail/Api/PortalApi',
      'XtraMail/BootstrapAdmin/OnEvent',
      'XtraMail/MailFlow/Deliver',
      'XtraMail/MailIntake/Ingest',
    ]);
  });

  test('the runtime is Node.js 22 or newer, and the esbuild target matches it', () => {
    const major = Number(/^nodejs(\d+)\.x$/.exec(XTRAMAIL_RUNTIME.name)?.[1]);
    expect(major).toBeGreaterThanOrEqual(22);
    expect(ESBUILD_TARGET).toBe(`node${major}`);
  });

  test('the runtime is the newest one available in every region (bump the pin when CDK moves it)', () => {
    expect(XTRAMAIL_RUNTIME.name).toBe(Runtime.NODEJS_LATEST.name);
  });

  test.each(functions.map((f) => [f.node.path, logicalId(f)]))(
    '%s: arm64, current runtime, tracing, source maps, own log group, handler export',
    (_path, id) => {
      const props = resources[id].Properties;
      expect(props.Runtime).toBe(XTRAMAIL_RUNTIME.name);
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.Handler).toBe('index.handler');
      expect(props.TracingConfig).toEqual({ Mode: 'Active' });
      expect(props.Environment.Variables.NODE_OPTIONS).toMatch(/^--enable-source-maps( |$)/);
      expect(props.MemorySize).toBeGreaterThanOrEqual(512);
      expect(props.Timeout).toBeGreaterThanOrEqual(30);

      const logGroupId = props.LoggingConfig.LogGroup.Ref;
      expect(resources[logGroupId]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 30 },
      });
    },
  );

  test('every Lambda function in the stack, CDK-managed helpers included, avoids deprecated Node.js runtimes', () => {
    const runtimes = Object.values(resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => r.Properties.Runtime as string)
      .filter((r) => r.startsWith('nodejs'));
    for (const runtime of runtimes) {
      expect(Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1])).toBeGreaterThanOrEqual(22);
    }
  });

  test.each(functions.map((f) => [f.node.path, logicalId(f.role!)]))(
    '%s: its role has no AWS managed policy and may write only to its own log group',
    (_path, roleId) => {
      expect(resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: roleId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('LogGroup'), 'Arn'] },
            },
          ]),
        },
      });
    },
  );
});

describe('XtraMailFunction bundling', () => {
  const HANDLERS = ['ingest', 'deliver', 'console-api', 'portal-api', 'bootstrap-admin'];
  let outdir: string;
  const bundles = new Map<string, string>();

  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'xtramail-bundle-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bundle');
    const functions = HANDLERS.map(
      (name) => [name, new XtraMailFunction(stack, name, { entry: `lambdas/handlers/${name}.ts` })] as const,
    );
    const assembly = app.synth().getStackByName('Bundle');
    const template = assembly.template as {
      Resources: Record<string, { Properties?: { Code?: { S3Key?: string } } }>;
    };
    for (const [name, fn] of functions) {
      const key =
        template.Resources[stack.getLogicalId(fn.node.defaultChild as CfnElement)].Properties!.Code!.S3Key!;
      bundles.set(name, path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'));
    }
  }, 120_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test.each(HANDLERS)(
    '%s: bundles the AWS SDK the tests ran instead of importing the runtime copy',
    (name) => {
      const source = readFileSync(bundles.get(name)!, 'utf8');
      const sdkImports = source.match(/(\bfrom|\bimport\()\s*["']@aws-sdk\/[^"']+/g) ?? []; // how an external appears
      expect(sdkImports).toEqual([]);
      expect(source).toContain('DynamoDBClient');
    },
  );

  test.each(HANDLERS)('%s: the bundle loads on its own and exports the handler', (name) => {
    // Run outside the repository, so nothing can resolve from its node_modules.
    const bundle = pathToFileURL(bundles.get(name)!).href;
    const loaded = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler);`,
      ],
      { cwd: outdir, encoding: 'utf8', env: { ...process.env, TABLE_NAME: 'table', MAIL_BUCKET: 'bucket' } },
    );
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout.trim()).toBe('function');
  });
});
