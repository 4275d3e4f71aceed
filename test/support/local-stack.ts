import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalStack, type LocalStack } from '../../bin/local/stack';

export const TEST_ADMIN = { email: 'partner@example.com', password: 'correct horse battery staple' };

export interface TestStack extends LocalStack {
  dataDir: string;
}

/**
 * The whole local product on free ports with a throwaway data directory and an in-memory
 * DynamoDB: one per test file (start it in beforeAll, stop it in afterAll).
 */
export async function startTestStack(overrides: { clockOffsetDays?: number } = {}): Promise<TestStack> {
  // The handlers' structured logs would bury test output; warnings and errors still show.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const dataDir = mkdtempSync(path.join(tmpdir(), 'xtramail-test-'));
  const stack = await startLocalStack({
    dataDir,
    persistent: false,
    httpPort: 0,
    smtpPort: 0,
    sesPort: 0,
    clockOffsetDays: overrides.clockOffsetDays ?? 0,
    admin: TEST_ADMIN,
    webRoot: path.resolve(__dirname, '../../web/dist'),
  });
  return {
    ...stack,
    dataDir,
    stop: async () => {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
