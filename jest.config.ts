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
  // A global option (per-project values are ignored): starting the stand-ins, Chromium or a
  // CDK synth can take several seconds on a loaded 2-core machine.
  testTimeout: 60_000,
};

export default config;
