import {
  HOLD_TTL_GRACE_DAYS,
  expiredBefore,
  heldExpiresAt,
  heldFromItem,
  heldKey,
  heldToItem,
  parseHeldSortKey,
  releaseOrder,
  type HeldMessage,
} from '../../lambdas/core/mail-flow/held';
import { expired } from '../../lambdas/core/mail-flow/retry';

const held = (receivedAt: string, sesMessageId: string): HeldMessage => ({
  domain: 'example.com',
  receivedAt: new Date(receivedAt),
  sesMessageId,
  envelopeFrom: 'bounce@outside.example',
  recipients: ['bob@example.com'],
  rawKey: `incoming/${sesMessageId}`,
  size: 1234,
});

describe('held messages', () => {
  const message: HeldMessage = {
    ...held('2025-03-09T23:59:58.123Z', 'ses-1'),
    domain: 'Example.COM.',
    recipients: ['Bob@Example.com', 'carol@example.com'],
  };

  test('are keyed HOLD#<domain> / <receivedAt iso>#<sesMessageId>', () => {
    expect(heldKey(message)).toEqual({ pk: 'HOLD#example.com', sk: '2025-03-09T23:59:58.123Z#ses-1' });
  });

  test('round-trip through an item, recipients normalized', () => {
    const item = heldToItem(message);
    expect(item.type).toBe('held');
    expect(heldFromItem(item)).toEqual({
      ...message,
      domain: 'example.com',
      recipients: ['bob@example.com', 'carol@example.com'],
    });
  });

  test('the TTL falls a grace day after the 14 days, so the sweeper logs the expiry first', () => {
    const item = heldToItem(message);
    const fourteenDays = Math.floor(message.receivedAt.getTime() / 1000) + 14 * 86400;
    expect(HOLD_TTL_GRACE_DAYS).toBe(1);
    expect(item.expiresAt).toBe(fourteenDays + 86400);
    expect(heldExpiresAt(message).getTime() / 1000).toBe(fourteenDays + 0.123);
  });

  test('sort keys parse back; foreign ones do not', () => {
    expect(parseHeldSortKey('2025-03-09T23:59:58.123Z#ses-1')).toEqual({
      receivedAt: new Date('2025-03-09T23:59:58.123Z'),
      sesMessageId: 'ses-1',
    });
    for (const bad of [
      '',
      'ses-1',
      '#ses-1',
      'yesterday#ses-1',
      '2025-03-09T23:59:58.123Z#',
      '2025-03-09#x',
    ]) {
      expect(parseHeldSortKey(bad)).toBeUndefined();
    }
  });

  test('expiredBefore bounds exactly the held items past their 14 days', () => {
    const now = new Date('2025-03-20T12:00:00.000Z');
    const bound = expiredBefore(now);
    const items = [
      held('2025-03-06T11:59:59.999Z', 'old'),
      held('2025-03-06T12:00:00.000Z', 'edge'),
      held('2025-03-06T12:00:00.001Z', 'young'),
    ];
    for (const item of items) {
      expect(heldKey(item).sk < bound).toBe(expired(item.receivedAt, now));
    }
    expect(items.map((item) => expired(item.receivedAt, now))).toEqual([true, true, false]);
  });
});

describe('releaseOrder', () => {
  test('sorts by receipt time, then SES id, without touching the input', () => {
    const input = [
      held('2025-03-02T00:00:00.000Z', 'b'),
      held('2025-03-01T00:00:00.000Z', 'z'),
      held('2025-03-02T00:00:00.000Z', 'a'),
      held('2025-03-01T23:59:59.999Z', 'c'),
    ];
    const before = input.map((m) => m.sesMessageId);
    expect(releaseOrder(input).map((m) => m.sesMessageId)).toEqual(['z', 'c', 'a', 'b']);
    expect(input.map((m) => m.sesMessageId)).toEqual(before);
  });

  test('agrees with the sort-key order of a partition Query', () => {
    const input = Array.from({ length: 30 }, (_, i) =>
      held(new Date(Date.UTC(2025, 2, 1) + ((i * 7919) % 30) * 60_000).toISOString(), `id-${i}`),
    );
    const bySortKey = [...input].sort((a, b) => (heldKey(a).sk < heldKey(b).sk ? -1 : 1));
    expect(releaseOrder(input)).toEqual(bySortKey);
    expect(releaseOrder(releaseOrder(input))).toEqual(releaseOrder(input));
  });
});
