import { ensureBootstrapAdmin } from '../../lambdas/core/admins/bootstrap-admin';
import { verifyPassword } from '../../lambdas/core/auth/password';
import { adminFromItem, adminKey } from '../../lambdas/core/entities/admin';
import { ManualClock } from './support/manual-clock';
import { MemoryTable } from './support/memory-table';

const FIRST = 'correct horse battery staple';
const SECOND = 'another long password 42';

describe('ensureBootstrapAdmin', () => {
  test('creates the partner admin once; a second run with another password changes nothing', async () => {
    const table = new MemoryTable();
    const clock = new ManualClock('2025-01-06T12:00:00.000Z');

    await expect(ensureBootstrapAdmin({ table, clock }, ' Partner@Example.com', FIRST)).resolves.toEqual({
      created: true,
    });
    const item = await table.get(adminKey('partner@example.com'));
    expect(item).toBeDefined();
    const admin = adminFromItem(item!);
    expect(admin).toMatchObject({
      email: 'partner@example.com',
      role: 'partner',
      domains: [],
      tokenVersion: 0,
      createdAt: '2025-01-06T12:00:00.000Z',
    });
    expect(admin.passwordHash.startsWith('scrypt$')).toBe(true);
    await expect(verifyPassword(FIRST, admin.passwordHash)).resolves.toBe(true);

    clock.advance(86_400_000);
    await expect(ensureBootstrapAdmin({ table, clock }, 'partner@example.com', SECOND)).resolves.toEqual({
      created: false,
    });
    const after = adminFromItem((await table.get(adminKey('partner@example.com')))!);
    expect(after).toEqual(admin);
    await expect(verifyPassword(FIRST, after.passwordHash)).resolves.toBe(true);
    await expect(verifyPassword(SECOND, after.passwordHash)).resolves.toBe(false);
    expect(table.all().filter((item) => item.type === 'admin')).toHaveLength(1);
  });

  test('refuses a password shorter than 12 characters and writes nothing', async () => {
    const table = new MemoryTable();
    await expect(
      ensureBootstrapAdmin({ table, clock: new ManualClock() }, 'partner@example.com', 'short-pass1'),
    ).rejects.toThrow(/at least 12 characters/);
    expect(table.all()).toEqual([]);
  });
});
