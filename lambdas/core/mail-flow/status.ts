import { normalizeDomain } from '../entities/domain';
import type { Item, ItemKey } from '../entities/keys';
import { epochSeconds } from '../clock';
import { DEFAULT_GOOD_THRESHOLD } from './settings';
import { expiresAt, type DeliveryOutcome } from './retry';

/** The status looks at this many most recent attempts, as the anchor product does. */
export const ATTEMPT_WINDOW = 25;
/** SMTP replies shown on the Mail Flow tab. */
export const SHOWN_REPLIES = 5;
/** Servers can answer with long multi-line text; the status keeps a readable prefix. */
export const MAX_REPLY_LENGTH = 500;

export type MailFlowStatus = 'Good' | 'Bad';

/** One SMTP try to deliver one message to the domain's primary server. */
export interface DeliveryAttempt {
  domain: string;
  at: Date;
  /** Unique per attempt (e.g. message id + attempt number), so equal timestamps never collide. */
  id: string;
  outcome: DeliveryOutcome;
  code?: number;
  response: string;
  sesMessageId?: string;
}

const ATTEMPT_PREFIX = 'ATTEMPT#';

export const flowPartition = (domain: string): string => `FLOW#${normalizeDomain(domain)}`;

/** The latest attempts are one Query: pk = FLOW#<domain>, sk begins_with ATTEMPT#, newest first, limit 25. */
export const attemptQuery = (domain: string) => ({
  pk: flowPartition(domain),
  skPrefix: ATTEMPT_PREFIX,
  newestFirst: true,
  limit: ATTEMPT_WINDOW,
});

export const attemptKey = (attempt: Pick<DeliveryAttempt, 'domain' | 'at' | 'id'>): ItemKey => ({
  pk: flowPartition(attempt.domain),
  sk: `${ATTEMPT_PREFIX}${attempt.at.toISOString()}#${attempt.id}`,
});

const truncate = (text: string): string =>
  text.length > MAX_REPLY_LENGTH ? `${text.slice(0, MAX_REPLY_LENGTH - 1)}…` : text;

export const attemptToItem = (attempt: DeliveryAttempt): Item => ({
  ...attemptKey(attempt),
  type: 'delivery-attempt',
  domain: normalizeDomain(attempt.domain),
  at: attempt.at.toISOString(),
  id: attempt.id,
  outcome: attempt.outcome,
  ...(attempt.code !== undefined ? { code: attempt.code } : {}),
  response: truncate(attempt.response),
  ...(attempt.sesMessageId !== undefined ? { sesMessageId: attempt.sesMessageId } : {}),
  // Older attempts no longer count once 25 newer ones exist; 14 days bounds the partition.
  expiresAt: epochSeconds(expiresAt(attempt.at)),
});

export const attemptFromItem = (item: Item): DeliveryAttempt => ({
  domain: String(item.domain),
  at: new Date(String(item.at)),
  id: String(item.id),
  outcome: item.outcome as DeliveryOutcome,
  ...(typeof item.code === 'number' ? { code: item.code } : {}),
  response: String(item.response ?? ''),
  ...(item.sesMessageId !== undefined ? { sesMessageId: String(item.sesMessageId) } : {}),
});

export interface StatusReport {
  status: MailFlowStatus;
  /** Attempts judged (at most ATTEMPT_WINDOW). */
  attempts: number;
  succeeded: number;
  /** succeeded / attempts, 1 when there are none. */
  successRate: number;
  lastReplies: { at: string; outcome: DeliveryOutcome; code?: number; response: string }[];
}

const newestFirst = (a: DeliveryAttempt, b: DeliveryAttempt): number =>
  b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * Good while at least `goodThreshold` of the last 25 attempts succeeded; with fewer attempts
 * it judges what there is, and a domain with none is Good (no evidence of trouble).
 * Deferrals count as failures: a server answering 451 is exactly what the admin must see.
 */
export function mailFlowStatus(
  attempts: readonly DeliveryAttempt[],
  goodThreshold: number = DEFAULT_GOOD_THRESHOLD,
): StatusReport {
  const window = [...attempts].sort(newestFirst).slice(0, ATTEMPT_WINDOW);
  const succeeded = window.filter((a) => a.outcome === 'delivered').length;
  const successRate = window.length === 0 ? 1 : succeeded / window.length;
  // A small epsilon so 0.9 · 25 = 22.5 and 9 / 10 compare as intended despite binary fractions.
  const status: MailFlowStatus = successRate + 1e-9 >= goodThreshold ? 'Good' : 'Bad';
  return {
    status,
    attempts: window.length,
    succeeded,
    successRate,
    lastReplies: window.slice(0, SHOWN_REPLIES).map((a) => ({
      at: a.at.toISOString(),
      outcome: a.outcome,
      ...(a.code !== undefined ? { code: a.code } : {}),
      response: truncate(a.response),
    })),
  };
}

export type StatusChange = { alert: false } | { alert: true; from: MailFlowStatus; to: MailFlowStatus };

/**
 * An alert (admin email, CloudWatch alarm) is due only when the status flips. A domain with no
 * stored status was Good: it starts that way, so its first Bad alerts and a first Good does not.
 */
export function statusChange(previous: MailFlowStatus | undefined, next: MailFlowStatus): StatusChange {
  const from = previous ?? 'Good';
  return from === next ? { alert: false } : { alert: true, from, to: next };
}

/** The last status the alerting saw, so a flip is noticed once across Lambda invocations. */
export interface StoredStatus {
  domain: string;
  status: MailFlowStatus;
  changedAt: Date;
  /**
   * Bumped on every write. Writers compare-and-set on the version they read, so when two deliver
   * workers see the same flip at once only one stores it and only that one alerts. Items written
   * before versions existed have none.
   */
  version?: number;
}

export const storedStatusKey = (domain: string): ItemKey => ({ pk: flowPartition(domain), sk: 'STATUS' });

export const storedStatusToItem = (stored: StoredStatus): Item => ({
  ...storedStatusKey(stored.domain),
  type: 'mail-flow-status',
  domain: normalizeDomain(stored.domain),
  status: stored.status,
  changedAt: stored.changedAt.toISOString(),
  ...(stored.version !== undefined ? { version: stored.version } : {}),
});

export const storedStatusFromItem = (item: Item): StoredStatus => ({
  domain: String(item.domain),
  status: item.status === 'Bad' ? 'Bad' : 'Good',
  changedAt: new Date(String(item.changedAt)),
  ...(typeof item.version === 'number' ? { version: item.version } : {}),
});
