import { AppError } from '../../lambdas/core/errors';
import { MemoryTable } from './support/memory-table';

// The fake stands in for DynamoDB in the auth tests, so its own behaviour is pinned here.
describe('MemoryTable (test fake)', () => {
  test('get returns a copy of what put stored, and undefined for a missing key', async () => {
    const table = new MemoryTable();
    await table.put({ pk: 'P', sk: 'S', nested: { n: 1 } });
    const item = await table.get({ pk: 'P', sk: 'S' });
    expect(item).toEqual({ pk: 'P', sk: 'S', nested: { n: 1 } });
    (item!.nested as { n: number }).n = 2;
    expect(await table.get({ pk: 'P', sk: 'S' })).toEqual({ pk: 'P', sk: 'S', nested: { n: 1 } });
    expect(await table.get({ pk: 'P', sk: 'other' })).toBeUndefined();
  });

  test('put with ifAbsent writes nothing and returns false when the key exists', async () => {
    const table = new MemoryTable();
    expect(await table.put({ pk: 'P', sk: 'S', v: 1 }, { ifAbsent: true })).toBe(true);
    expect(await table.put({ pk: 'P', sk: 'S', v: 2 }, { ifAbsent: true })).toBe(false);
    expect((await table.get({ pk: 'P', sk: 'S' }))?.v).toBe(1);
    expect(await table.put({ pk: 'P', sk: 'S', v: 3 })).toBe(true);
    expect((await table.get({ pk: 'P', sk: 'S' }))?.v).toBe(3);
  });

  test('delete and putAll', async () => {
    const table = new MemoryTable();
    await table.putAll([
      { pk: 'P', sk: 'a' },
      { pk: 'P', sk: 'b' },
    ]);
    await table.delete({ pk: 'P', sk: 'a' });
    expect(table.all()).toEqual([{ pk: 'P', sk: 'b' }]);
  });

  test('query orders by sort key, filters by prefix, pages with a cursor, and runs descending', async () => {
    const table = new MemoryTable();
    await table.putAll(['INBOX#3', 'INBOX#1', 'SENT#1', 'INBOX#2', 'INBOX#4'].map((sk) => ({ pk: 'M', sk })));
    await table.put({ pk: 'other', sk: 'INBOX#0' });

    const first = await table.query('M', { beginsWith: 'INBOX#', limit: 3 });
    expect(first.items.map((i) => i.sk)).toEqual(['INBOX#1', 'INBOX#2', 'INBOX#3']);
    const second = await table.query('M', { beginsWith: 'INBOX#', limit: 3, cursor: first.nextCursor });
    expect(second.items.map((i) => i.sk)).toEqual(['INBOX#4']);
    expect(second.nextCursor).toBeUndefined();

    const newest = await table.query('M', { beginsWith: 'INBOX#', limit: 2, descending: true });
    expect(newest.items.map((i) => i.sk)).toEqual(['INBOX#4', 'INBOX#3']);
    const older = await table.query('M', {
      beginsWith: 'INBOX#',
      descending: true,
      cursor: newest.nextCursor,
    });
    expect(older.items.map((i) => i.sk)).toEqual(['INBOX#2', 'INBOX#1']);

    expect((await table.query('M')).items).toHaveLength(5);
  });

  test('query refuses a cursor it did not issue for that partition', async () => {
    const table = new MemoryTable();
    await table.putAll([{ pk: 'A', sk: '1' }]);
    const { nextCursor } = await table.query('A', { limit: 1 });
    await expect(table.query('B', { cursor: nextCursor })).rejects.toMatchObject({ code: 'invalid_cursor' });
    await expect(table.query('A', { cursor: 'garbage' })).rejects.toBeInstanceOf(AppError);
  });

  test('increment creates the item, adds atomically, sets the extra attributes and returns the new value', async () => {
    const table = new MemoryTable();
    expect(await table.increment({ pk: 'C', sk: 'W' }, 'n', 1, { expiresAt: 10 })).toBe(1);
    expect(await table.increment({ pk: 'C', sk: 'W' }, 'n', 2)).toBe(3);
    expect(await table.get({ pk: 'C', sk: 'W' })).toEqual({ pk: 'C', sk: 'W', n: 3, expiresAt: 10 });
    const concurrent = await Promise.all([1, 2, 3].map(() => table.increment({ pk: 'C', sk: 'X' }, 'n', 1)));
    expect(concurrent.sort()).toEqual([1, 2, 3]);
  });
});
