import { normalizeAddress } from '../addresses';
import { addDays, epochSeconds } from '../clock';
import { normalizeDomain } from '../entities/domain';
import type { Item, ItemKey } from '../entities/keys';
import { HOLD_DAYS, expiresAt } from './retry';

/**
 * DynamoDB's TTL deletes an item some time after `expiresAt`, never before. Held mail must be
 * logged `expired` and the admin told before it goes, so the TTL is set a day past the 14 days
 * and a sweeper expires what `expired()` reports; the TTL only cleans up after it.
 */
export const HOLD_TTL_GRACE_DAYS = 1;

/** A message for one domain, kept while its inbound delivery is paused. */
export interface HeldMessage {
  domain: string;
  receivedAt: Date;
  sesMessageId: string;
  envelopeFrom: string;
  /** The domain's accepted recipients of this message: one SMTP transaction on release. */
  recipients: string[];
  /** Where the raw bytes are (the intake object key); the held item never copies them. */
  rawKey: string;
  size: number;
}

export const heldPartition = (domain: string): string => `HOLD#${normalizeDomain(domain)}`;

/** The sort key starts with the receipt time, so a partition Query returns mail in receipt order. */
export const heldKey = (held: Pick<HeldMessage, 'domain' | 'receivedAt' | 'sesMessageId'>): ItemKey => ({
  pk: heldPartition(held.domain),
  sk: `${held.receivedAt.toISOString()}#${held.sesMessageId}`,
});

/** Splits a held sort key, e.g. from a "release selected" request, back into its parts. */
export function parseHeldSortKey(sk: string): { receivedAt: Date; sesMessageId: string } | undefined {
  const hash = sk.indexOf('#');
  if (hash <= 0) return undefined;
  const receivedAt = new Date(sk.slice(0, hash));
  const sesMessageId = sk.slice(hash + 1);
  if (
    Number.isNaN(receivedAt.getTime()) ||
    sesMessageId === '' ||
    receivedAt.toISOString() !== sk.slice(0, hash)
  )
    return undefined;
  return { receivedAt, sesMessageId };
}

export const heldToItem = (held: HeldMessage): Item => ({
  ...heldKey(held),
  type: 'held',
  domain: normalizeDomain(held.domain),
  receivedAt: held.receivedAt.toISOString(),
  sesMessageId: held.sesMessageId,
  envelopeFrom: held.envelopeFrom,
  recipients: held.recipients.map(normalizeAddress),
  rawKey: held.rawKey,
  size: held.size,
  expiresAt: epochSeconds(addDays(held.receivedAt, HOLD_DAYS + HOLD_TTL_GRACE_DAYS)),
});

export const heldFromItem = (item: Item): HeldMessage => ({
  domain: String(item.domain),
  receivedAt: new Date(String(item.receivedAt)),
  sesMessageId: String(item.sesMessageId),
  envelopeFrom: String(item.envelopeFrom ?? ''),
  recipients: Array.isArray(item.recipients) ? item.recipients.map(String) : [],
  rawKey: String(item.rawKey),
  size: Number(item.size ?? 0),
});

/**
 * Held items past their 14 days, exactly as `expired()` judges them: a Query with
 * `sk < expiredBefore(now)` finds them, oldest first. `~` sorts after every character of an SES
 * message id, so an item received exactly 14 days ago is included.
 */
export const expiredBefore = (now: Date): string => `${addDays(now, -HOLD_DAYS).toISOString()}#~`;

/** When a held message's 14 days end (for the console's "oldest" and the sweeper). */
export const heldExpiresAt = (held: Pick<HeldMessage, 'receivedAt'>): Date => expiresAt(held.receivedAt);

/**
 * Receipt order: by receipt time, then by SES message id for equal times, so two runs of a
 * release (or a retried worker) always agree on the order. Does not modify `items`.
 */
export function releaseOrder<T extends Pick<HeldMessage, 'receivedAt' | 'sesMessageId'>>(
  items: readonly T[],
): T[] {
  return [...items].sort(
    (a, b) =>
      a.receivedAt.getTime() - b.receivedAt.getTime() ||
      (a.sesMessageId < b.sesMessageId ? -1 : a.sesMessageId > b.sesMessageId ? 1 : 0),
  );
}
