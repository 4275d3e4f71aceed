import type { SmtpResult } from '../../lambdas/adapters/smtp-relay';
import { DAY_MS } from '../../lambdas/core/clock';
import {
  HOLD_DAYS,
  RETRY_BASE_MS,
  RETRY_CAP_MS,
  classifySmtpResult,
  expired,
  expiresAt,
  nextAttemptDelay,
  nextStep,
} from '../../lambdas/core/mail-flow/retry';

const max = () => 0.999999999;

describe('nextAttemptDelay', () => {
  test('the ceiling doubles from 60 s per retry', () => {
    const ceilings = [1, 2, 3, 4, 5, 6].map((attempt) => nextAttemptDelay(attempt, max));
    expect(RETRY_BASE_MS).toBe(60_000);
    for (let i = 1; i < ceilings.length; i++) expect(ceilings[i]).toBeGreaterThan(ceilings[i - 1]);
    expect(ceilings.slice(0, 5).map((ms) => Math.round(ms / 1000))).toEqual([60, 120, 240, 480, 960]);
  });

  test('is capped at one hour, however many retries', () => {
    expect(RETRY_CAP_MS).toBe(3_600_000);
    for (const attempt of [7, 10, 50, 1_000, Number.MAX_SAFE_INTEGER]) {
      expect(nextAttemptDelay(attempt, max)).toBeLessThanOrEqual(RETRY_CAP_MS);
      expect(nextAttemptDelay(attempt, max)).toBeGreaterThan(RETRY_CAP_MS - 1000);
    }
  });

  test('full jitter: anywhere in [0, ceiling], driven by the injected random', () => {
    expect(nextAttemptDelay(3, () => 0)).toBe(0);
    expect(nextAttemptDelay(3, () => 0.5)).toBe(120_000);
    expect(nextAttemptDelay(20, () => 0.25)).toBe(900_000);
    for (let i = 0; i < 500; i++) {
      const delay = nextAttemptDelay(1 + (i % 12));
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(RETRY_CAP_MS);
      expect(Number.isInteger(delay)).toBe(true);
    }
  });

  test('a random source outside [0, 1) cannot push the delay out of range', () => {
    expect(nextAttemptDelay(2, () => -3)).toBe(0);
    expect(nextAttemptDelay(2, () => 7)).toBe(120_000);
    expect(nextAttemptDelay(0, max)).toBeLessThanOrEqual(RETRY_BASE_MS);
  });
});

describe('classifySmtpResult', () => {
  const reply = (code: number, transient = code < 500): SmtpResult => ({
    ok: false,
    code,
    response: `${code} something`,
    transient,
  });
  const network = (errorCode: string): Extract<SmtpResult, { ok: false }> => ({
    ok: false,
    response: `connect ${errorCode}`,
    transient: true,
    errorCode,
  });

  test('an accepted message is delivered', () => {
    expect(classifySmtpResult({ ok: true, response: '250 2.0.0 OK' })).toBe('delivered');
  });

  test.each([421, 450, 451, 452])('%i is deferred', (code) => {
    expect(classifySmtpResult(reply(code))).toBe('deferred');
  });

  test.each([550, 551, 552, 553, 554])('%i is failed', (code) => {
    expect(classifySmtpResult(reply(code))).toBe('failed');
  });

  test('a 5xx the relay marks transient (bad login, STARTTLS) waits for the settings to be fixed', () => {
    expect(classifySmtpResult(reply(535, true))).toBe('deferred');
  });

  test.each(['ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EDNS', 'EHOSTUNREACH'])(
    '%s is deferred',
    (code) => {
      expect(classifySmtpResult(network(code))).toBe('deferred');
      // Even if a relay forgot to mark it transient, the error code decides.
      expect(classifySmtpResult({ ...network(code), transient: false })).toBe('deferred');
    },
  );

  test('a failure without a reply follows the relay’s transient flag', () => {
    expect(
      classifySmtpResult({
        ok: false,
        response: 'Invalid recipient',
        transient: false,
        errorCode: 'EENVELOPE',
      }),
    ).toBe('failed');
    expect(classifySmtpResult({ ok: false, response: 'odd', transient: true })).toBe('deferred');
  });
});

describe('expiry after 14 days', () => {
  const receivedAt = new Date('2025-03-01T10:00:00.000Z');

  test('expires exactly HOLD_DAYS after receipt', () => {
    expect(HOLD_DAYS).toBe(14);
    expect(expiresAt(receivedAt).toISOString()).toBe('2025-03-15T10:00:00.000Z');
    expect(expired(receivedAt, new Date(receivedAt.getTime() + 14 * DAY_MS - 1))).toBe(false);
    expect(expired(receivedAt, new Date(receivedAt.getTime() + 14 * DAY_MS))).toBe(true);
    expect(expired(receivedAt, new Date('2025-03-06T10:00:00.000Z'))).toBe(false);
  });
});

describe('nextStep', () => {
  const receivedAt = new Date('2025-03-01T10:00:00.000Z');
  const deferred: SmtpResult = { ok: false, code: 451, response: '451 later', transient: true };

  test('delivered and failed end the message', () => {
    expect(nextStep({ ok: true, response: '250 ok' }, 1, receivedAt, receivedAt)).toEqual({
      kind: 'delivered',
    });
    expect(
      nextStep({ ok: false, code: 550, response: 'no', transient: false }, 1, receivedAt, receivedAt),
    ).toEqual({
      kind: 'failed',
    });
  });

  test('a deferral is retried after the backoff delay', () => {
    expect(nextStep(deferred, 2, receivedAt, receivedAt, () => 0.5)).toEqual({
      kind: 'retry',
      delayMs: 60_000,
    });
  });

  test('a deferral whose retry would fall after the 14 days expires now', () => {
    const almost = new Date(receivedAt.getTime() + 14 * DAY_MS - 60_000);
    expect(nextStep(deferred, 10, receivedAt, almost, () => 0.5)).toEqual({ kind: 'expired' });
    expect(nextStep(deferred, 10, receivedAt, almost, () => 0)).toEqual({ kind: 'retry', delayMs: 0 });
  });
});
