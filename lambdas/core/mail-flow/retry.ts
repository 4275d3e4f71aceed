import type { SmtpResult } from '../../adapters/smtp-relay';
import { DAY_MS } from '../clock';

/** Undelivered mail waits at most this long, whether deferred by the server or held by a pause. */
export const HOLD_DAYS = 14;

export const RETRY_BASE_MS = 60_000;
export const RETRY_CAP_MS = 3_600_000;

/**
 * Delay before retry number `attempt` (1 = the first retry): "full jitter", uniformly random in
 * [0, min(cap, base·2^(attempt−1))]. Randomness spreads the retries of a backlog, so a primary
 * server that comes back is not hit by every deferred message in the same second.
 * `random` returns [0, 1) like Math.random; tests inject it, and a shorter `baseMs`
 * (MAIL_FLOW_RETRY_BASE_SECONDS) keeps integration tests fast.
 */
export function nextAttemptDelay(
  attempt: number,
  random: () => number = Math.random,
  baseMs: number = RETRY_BASE_MS,
): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // 2^6 · 60 s already passes the cap; stopping there keeps huge attempt numbers finite.
  const ceiling = Math.min(RETRY_CAP_MS, baseMs * 2 ** Math.min(exponent, 16));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}

export type DeliveryOutcome = 'delivered' | 'deferred' | 'failed';

/** Network error codes after which the same message can succeed later. */
export const TRANSIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EDNS',
  'ECONNECTION',
  'ESOCKET',
  'ETLS',
  'EAUTH',
]);

/**
 * 2xx delivered, 4xx deferred, 5xx failed. Without a reply code (connection refused, reset,
 * timeouts, DNS) the failure says nothing about the message, so it is deferred: the status
 * turns Bad, the admin is told and the message waits up to HOLD_DAYS.
 */
export function classifySmtpResult(result: SmtpResult): DeliveryOutcome {
  if (result.ok) return 'delivered';
  if (result.code !== undefined && result.code >= 400 && result.code < 500) return 'deferred';
  if (result.code !== undefined && result.code >= 500 && result.code < 600) {
    // A 5xx during login (535) or STARTTLS is about the destination settings, not this message;
    // the relay marks those transient so a fixed setting delivers the waiting mail.
    return result.transient ? 'deferred' : 'failed';
  }
  if (result.errorCode !== undefined && TRANSIENT_ERROR_CODES.has(result.errorCode)) return 'deferred';
  return result.transient ? 'deferred' : 'failed';
}

export const expiresAt = (receivedAt: Date): Date => new Date(receivedAt.getTime() + HOLD_DAYS * DAY_MS);

/** Past HOLD_DAYS since receipt: log `expired` and tell the admin instead of trying again. */
export const expired = (receivedAt: Date, now: Date): boolean =>
  now.getTime() >= expiresAt(receivedAt).getTime();

export type NextStep =
  { kind: 'delivered' } | { kind: 'failed' } | { kind: 'expired' } | { kind: 'retry'; delayMs: number };

/**
 * What the deliver worker does after attempt number `attempt` (1 = the first try). A retry that
 * would start after the message's 14 days is pointless, so it expires now instead.
 */
export function nextStep(
  result: SmtpResult,
  attempt: number,
  receivedAt: Date,
  now: Date,
  random: () => number = Math.random,
  baseMs: number = RETRY_BASE_MS,
): NextStep {
  const outcome = classifySmtpResult(result);
  if (outcome !== 'deferred') return { kind: outcome };
  const delayMs = nextAttemptDelay(attempt, random, baseMs);
  if (expired(receivedAt, new Date(now.getTime() + delayMs))) return { kind: 'expired' };
  return { kind: 'retry', delayMs };
}
