/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// swc strips types without type-checking (`npm run typecheck` does that once), which keeps
// the CDK and handler tests fast. ESM-only dependencies are transformed to CommonJS too.
const transform: Config['transform'] = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
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
  projects: [
    project('unit'),
    project('infra', { testTimeout: 120_000 }),
    project('integration', { testTimeout: 60_000 }),
    project('e2e', { testTimeout: 120_000 }),
  ],
};

export default config;
