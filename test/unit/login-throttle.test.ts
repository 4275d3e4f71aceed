import {
  ACCOUNT_FAILURE_LIMIT,
  LOCKOUT_SECONDS,
  LoginThrottle,
  SOURCE_FAILURE_LIMIT,
} from '../../lambdas/core/auth/login-throttle';
import { AppError } from '../../lambdas/core/errors';
import { ManualClock } from './support/manual-clock';
import { MemoryTable } from './support/memory-table';

const IP = '203.0.113.7';

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('LoginThrottle', () => {
  let table: MemoryTable;
  let clock: ManualClock;
  let throttle: LoginThrottle;
  beforeEach(() => {
    table = new MemoryTable();
    clock = new ManualClock('2025-01-06T12:00:00.000Z');
    throttle = new LoginThrottle(table, clock, 'console');
  });

  const fail = async (account: string, times: number, ip = IP) => {
    for (let i = 0; i < times; i++) await throttle.recordFailure(account, ip);
  };

  test('the limits are 5 per account and 50 per source, for 15 minutes', () => {
    expect([ACCOUNT_FAILURE_LIMIT, SOURCE_FAILURE_LIMIT, LOCKOUT_SECONDS]).toEqual([5, 50, 900]);
  });

  test('locks the account at the fifth failure with a 429 and Retry-After, until 15 minutes pass', async () => {
    await fail('a@example.com', ACCOUNT_FAILURE_LIMIT - 1);
    await expect(throttle.assertAllowed('a@example.com', IP)).resolves.toBeUndefined();
    await fail('a@example.com', 1);

    const error = await refusal(throttle.assertAllowed('a@example.com', '198.51.100.1'));
    expect(error).toMatchObject({
      status: 429,
      code: 'too_many_attempts',
      headers: { 'Retry-After': '900' },
    });

    clock.advanceSeconds(LOCKOUT_SECONDS - 60);
    expect((await refusal(throttle.assertAllowed('a@example.com', IP))).headers['Retry-After']).toBe('60');
    clock.advanceSeconds(60);
    await expect(throttle.assertAllowed('a@example.com', IP)).resolves.toBeUndefined();
    // Other accounts were never affected.
    await expect(throttle.assertAllowed('b@example.com', IP)).resolves.toBeUndefined();
  });

  test('the lock starts a fresh count: one more failure after it expires does not lock again', async () => {
    await fail('a@example.com', ACCOUNT_FAILURE_LIMIT);
    clock.advanceSeconds(LOCKOUT_SECONDS);
    await fail('a@example.com', 1);
    await expect(throttle.assertAllowed('a@example.com', IP)).resolves.toBeUndefined();
  });

  test('a success clears the account count but not the source count', async () => {
    await fail('a@example.com', ACCOUNT_FAILURE_LIMIT - 1);
    await throttle.recordSuccess('a@example.com');
    await fail('a@example.com', ACCOUNT_FAILURE_LIMIT - 1);
    await expect(throttle.assertAllowed('a@example.com', IP)).resolves.toBeUndefined();
    await fail('a@example.com', 1);
    await expect(throttle.assertAllowed('a@example.com', IP)).rejects.toMatchObject({ status: 429 });

    // The 9 source failures so far survived both the success and the account lock.
    const sourceFailures = 2 * (ACCOUNT_FAILURE_LIMIT - 1) + 1;
    const other = new LoginThrottle(table, clock, 'console');
    for (let i = 0; i < SOURCE_FAILURE_LIMIT - sourceFailures - 1; i++)
      await other.recordFailure(`u${i}@example.com`, IP);
    await expect(throttle.assertAllowed('fresh@example.com', IP)).resolves.toBeUndefined();
    await other.recordFailure('last@example.com', IP);
    await expect(throttle.assertAllowed('fresh@example.com', IP)).rejects.toMatchObject({ status: 429 });
  });

  test('50 failures from one source lock that source for every account, and only that source', async () => {
    for (let i = 0; i < SOURCE_FAILURE_LIMIT - 1; i++)
      await throttle.recordFailure(`user${i}@example.com`, IP);
    await expect(throttle.assertAllowed('fresh@example.com', IP)).resolves.toBeUndefined();
    await throttle.recordFailure('user-last@example.com', IP);

    const error = await refusal(throttle.assertAllowed('fresh@example.com', IP));
    expect(error.status).toBe(429);
    expect(Number(error.headers['Retry-After'])).toBe(LOCKOUT_SECONDS);
    await expect(throttle.assertAllowed('fresh@example.com', '198.51.100.1')).resolves.toBeUndefined();
  });

  test('console and portal count separately', async () => {
    await fail('a@example.com', ACCOUNT_FAILURE_LIMIT);
    const portal = new LoginThrottle(table, clock, 'portal');
    await expect(portal.assertAllowed('a@example.com', IP)).resolves.toBeUndefined();
  });

  test('concurrent failures are all counted', async () => {
    await Promise.all(
      Array.from({ length: ACCOUNT_FAILURE_LIMIT }, () => throttle.recordFailure('a@example.com', IP)),
    );
    await expect(throttle.assertAllowed('a@example.com', IP)).rejects.toMatchObject({ status: 429 });
  });

  test('counters and locks carry an expiresAt so TTL removes them', async () => {
    await fail('a@example.com', ACCOUNT_FAILURE_LIMIT);
    const now = clock.now().getTime() / 1000;
    const items = table.all();
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(typeof item.expiresAt).toBe('number');
      expect(item.expiresAt as number).toBeGreaterThan(now);
      expect(item.expiresAt as number).toBeLessThanOrEqual(now + 2 * LOCKOUT_SECONDS);
    }
  });
});
