import { DAY_MS } from '../../lambdas/core/clock';
import type { Folder } from '../../lambdas/core/entities/message';
import { MAX_CONTACTS, recentContacts } from '../../lambdas/core/mailbox/contacts';
import { ManualClock } from './support/manual-clock';
import { MemoryTable } from './support/memory-table';
import { snapshotCopyItem } from './support/snapshot-copy';

const ME = 'me@corp.test';
let table: MemoryTable;
let clock: ManualClock;
let sequence = 0;

/** Files one copy in a mailbox, `minutesAgo` before now. */
async function file(
  folder: Folder,
  fields: { from?: string; to?: string[]; cc?: string[] },
  minutesAgo = 0,
  mailbox = ME,
) {
  const receivedAt = new Date(clock.now().getTime() - minutesAgo * 60_000 - sequence++);
  await table.put(
    snapshotCopyItem({
      mailbox,
      folder,
      sesMessageId: `ses-${sequence}`,
      receivedAt,
      from: fields.from ?? ME,
      to: fields.to ?? [ME],
      cc: fields.cc ?? [],
    }),
  );
}

const contacts = () => recentContacts({ table, clock }, ME);

beforeEach(() => {
  table = new MemoryTable();
  clock = new ManualClock('2026-12-05T12:00:00.000Z');
  sequence = 0;
});

test('an empty mailbox suggests no one', async () => {
  await expect(contacts()).resolves.toEqual([]);
});

test('senders with their names, and whom the user wrote to, most written-to first, then most recent', async () => {
  await file('inbox', { from: '"Doe, Jane" <Jane.Doe@Partner.test>' }, 5);
  await file('inbox', { from: 'Carol <carol@partner.test>' }, 1);
  await file('inbox', { from: 'Carol Again <carol@partner.test>' }, 50);
  await file('sent', { to: ['jane.doe@partner.test'], cc: ['dan@vendor.test'] }, 30);
  await file('inbox', { from: 'erin@vendor.test' }, 0);
  expect(await contacts()).toEqual([
    // Written to once (3) and wrote once (1).
    { address: 'jane.doe@partner.test', name: 'Doe, Jane' },
    // Written to once.
    { address: 'dan@vendor.test' },
    // Wrote twice: the newest copy's name wins.
    { address: 'carol@partner.test', name: 'Carol' },
    { address: 'erin@vendor.test' },
  ]);
});

test('never the user themself, no-reply senders, or other people’s mail', async () => {
  await file('inbox', { from: `Me <${ME.toUpperCase()}>` });
  await file('inbox', { from: 'Shop <no-reply@shop.test>' });
  await file('inbox', { from: 'noreply@bank.test' });
  await file('inbox', { from: 'MAILER-DAEMON@mx.test' });
  await file('inbox', { from: 'Do Not Reply <donotreply+x@bank.test>' });
  await file('inbox', { from: 'Frank <frank@partner.test>' }, 0, 'someone.else@corp.test');
  await file('inbox', { from: 'Noreen <noreen@partner.test>' });
  expect(await contacts()).toEqual([{ address: 'noreen@partner.test', name: 'Noreen' }]);
});

test('expired copies suggest no one', async () => {
  await file('inbox', { from: 'Old <old@partner.test>' });
  clock.advance(31 * DAY_MS);
  await file('inbox', { from: 'New <new@partner.test>' });
  expect(await contacts()).toEqual([{ address: 'new@partner.test', name: 'New' }]);
});

test('a group or an unparseable From gives only the addresses it holds', async () => {
  await file('inbox', { from: 'Team: Ann <ann@partner.test>, bob@partner.test;' });
  await file('inbox', { from: 'undisclosed-recipients:;' });
  await file('inbox', { from: '' });
  expect((await contacts()).map((c) => c.address).sort()).toEqual(['ann@partner.test', 'bob@partner.test']);
});

test(`at most ${MAX_CONTACTS}`, async () => {
  for (let i = 0; i < MAX_CONTACTS + 20; i++) await file('inbox', { from: `p${i}@partner.test` }, i);
  const found = await contacts();
  expect(found).toHaveLength(MAX_CONTACTS);
  expect(found[0].address).toBe('p0@partner.test');
});
