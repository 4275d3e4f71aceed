import { adminFromItem, adminKey, adminToItem, type Admin } from '../../lambdas/core/entities/admin';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../../lambdas/core/entities/keys';
import {
  LOG_RETENTION_DAYS,
  logEntryFromItem,
  logEntryKey,
  logEntryToItem,
  type LogEntry,
} from '../../lambdas/core/entities/log-entry';
import {
  ELIGIBLE_USER_TYPES,
  USER_TYPES,
  isEligible,
  portalUserFromItem,
  portalUserKey,
  portalUserToItem,
  type PortalUser,
} from '../../lambdas/core/entities/portal-user';

describe('the single-table attribute names', () => {
  test('are pk, sk and expiresAt', () => {
    expect([PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE]).toEqual(['pk', 'sk', 'expiresAt']);
  });
});

describe('log entries', () => {
  const entry: LogEntry = {
    sesMessageId: '0100018f2c3e4d5e-abcdef12-3456-7890-abcd-ef1234567890-000000',
    receivedAt: new Date('2025-03-09T23:59:58.123Z'),
    envelopeSender: 'bounce@sender.example',
    recipient: 'Bob.Jones@Example.COM',
    from: 'Sender <news@sender.example>',
    subject: 'Hello',
    size: 2048,
    verdicts: { spam: 'PASS', virus: 'PASS', spf: 'GRAY', dkim: 'FAIL', dmarc: 'PROCESSING_FAILED' },
    action: 'snapshot',
  };

  test('the key is LOG#<domain>#<UTC day> / <iso>#<sesId>#<recipient>, lower-cased', () => {
    expect(logEntryKey(entry)).toEqual({
      pk: 'LOG#example.com#2025-03-09',
      sk: `2025-03-09T23:59:58.123Z#${entry.sesMessageId}#bob.jones@example.com`,
    });
  });

  test('the day is the UTC day, whatever the local offset of the input', () => {
    const key = logEntryKey({ ...entry, receivedAt: new Date('2025-03-10T00:30:00+02:00') });
    expect(key.pk).toBe('LOG#example.com#2025-03-09');
    expect(key.sk.startsWith('2025-03-09T22:30:00.000Z#')).toBe(true);
  });

  test('the same message and recipient always give the same key; another recipient another key', () => {
    expect(logEntryKey({ ...entry, recipient: 'bob.jones@example.com' })).toEqual(logEntryKey(entry));
    expect(logEntryKey({ ...entry, recipient: 'carol@example.com' }).sk).not.toBe(logEntryKey(entry).sk);
  });

  test('the item expires 14 days after receipt, in epoch seconds', () => {
    const item = logEntryToItem(entry);
    expect(LOG_RETENTION_DAYS).toBe(14);
    expect(item.expiresAt).toBe(Math.floor(entry.receivedAt.getTime() / 1000) + 14 * 86400);
    expect(Number.isInteger(item.expiresAt)).toBe(true);
    expect(item).toMatchObject({
      ...logEntryKey(entry),
      type: 'log',
      receivedAt: '2025-03-09T23:59:58.123Z',
    });
  });

  test('toItem / fromItem round trip (recipient normalized)', () => {
    const item = logEntryToItem(entry);
    const copied = JSON.parse(JSON.stringify(item)); // as it comes back from the store
    expect(logEntryFromItem(copied)).toEqual({ ...entry, recipient: 'bob.jones@example.com' });
  });
});

describe('portal users', () => {
  const user: PortalUser = {
    address: 'Alice@Example.com',
    type: 'discovered',
    passwordHash: 'scrypt$32768$8$1$salt$hash',
    mustChangePassword: true,
    tokenVersion: 4,
    createdAt: '2025-01-01T00:00:00.000Z',
  };

  test('portalUserKey splits the address into the domain partition and the local part', () => {
    expect(portalUserKey(' Alice@Example.com ')).toEqual({ pk: 'DOMAIN#example.com', sk: 'USER#alice' });
    expect(() => portalUserKey('alice')).toThrow();
  });

  test('toItem / fromItem round trip', () => {
    const item = portalUserToItem(user);
    expect(item).toMatchObject({ pk: 'DOMAIN#example.com', sk: 'USER#alice', address: 'alice@example.com' });
    expect(portalUserFromItem(item)).toEqual({ ...user, address: 'alice@example.com' });
  });

  test('a user without a password stores no passwordHash attribute and reads back without one', () => {
    const item = portalUserToItem({ ...user, passwordHash: undefined, mustChangePassword: false });
    expect(item).not.toHaveProperty('passwordHash');
    expect(portalUserFromItem(item).passwordHash).toBeUndefined();
    expect(portalUserFromItem(item).mustChangePassword).toBe(false);
  });

  test('an unknown stored type reads back as a non-eligible type', () => {
    const read = portalUserFromItem({ ...portalUserToItem(user), userType: 'superuser' });
    expect(USER_TYPES).toContain(read.type);
    expect(isEligible(read.type)).toBe(false);
  });

  test('only user and discovered are eligible', () => {
    expect(USER_TYPES.filter(isEligible)).toEqual(['user', 'discovered']);
    expect([...ELIGIBLE_USER_TYPES]).toEqual(['user', 'discovered']);
    for (const type of ['mailing_list', 'alias', 'shared_mailbox', 'system'] as const)
      expect(isEligible(type)).toBe(false);
  });
});

describe('admins', () => {
  const admin: Admin = {
    email: 'Dom.Admin@Example.com',
    role: 'domain',
    domains: ['example.com', 'example.org'],
    passwordHash: 'scrypt$32768$8$1$salt$hash',
    tokenVersion: 2,
    createdAt: '2025-01-01T00:00:00.000Z',
  };

  test('adminKey is ADMIN#<normalized email> / ADMIN', () => {
    expect(adminKey(' Dom.Admin@Example.com')).toEqual({ pk: 'ADMIN#dom.admin@example.com', sk: 'ADMIN' });
  });

  test('toItem / fromItem round trip', () => {
    const item = adminToItem(admin);
    expect(item).toMatchObject({ ...adminKey(admin.email), type: 'admin' });
    expect(adminFromItem(item)).toEqual({ ...admin, email: 'dom.admin@example.com' });
    expect(adminFromItem(adminToItem({ ...admin, role: 'partner', domains: [] }))).toMatchObject({
      role: 'partner',
      domains: [],
    });
  });

  test('an unknown stored role reads back as the narrower domain role', () => {
    expect(adminFromItem({ ...adminToItem(admin), role: 'root' }).role).toBe('domain');
  });
});
