/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// swc strips types without type-checking (`npm run typecheck` does that once), which keeps
// the CDK and handler tests fast. ESM-only dependencies are transformed to CommonJS too.
const transform: Config['transform'] = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
// Node here is 20 by design (Lambda runs 22+); the SDK's notice about it only buries test output.
// Workers inherit this process's environment.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// EMF lines mean nothing without CloudWatch (the local stack sets the same); a handler imported
// before the stack starts would otherwise print them into the test output.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const esmOnly = ['jose', '@middy'].join('|');
const transformIgnorePatterns = [`/node_modules/(?!(${esmOnly})/)`];

const project = (name: string, extra: Partial<Config> = {}): Config => ({
  displayName: name,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  transform,
  transformIgnorePatterns,
  testEnvironment: 'node',
  ...extra,
});

const config: Config = {
  projects: [project('unit'), project('infra'), project('integration'), project('e2e')],
  // One worker per core, not Jest's default of one fewer: most suites spend their time waiting
  // on stand-ins and Chromium, which run in their own processes. On CI's 2 cores this took the
  // run from 769 s to 510 s.
  maxWorkers: '100%',
  // A global option (per-project values are ignored). The slowest test (the corpus) took 33 s
  // with two workers on a slow day; this leaves room for a slower machine.
  testTimeout: 120_000,
};

export default config;
