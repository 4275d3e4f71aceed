import { logEntryToItem, type DeliveryState } from '../../lambdas/core/entities/log-entry';
import { messageId, type Folder } from '../../lambdas/core/entities/message';
import { readMessage } from '../../lambdas/core/mailbox/read-message';
import { ManualClock } from './support/manual-clock';
import { MemoryBlobs } from './support/memory-blobs';
import { MemoryTable } from './support/memory-table';
import { snapshotCopyItem } from './support/snapshot-copy';

const BOB = 'bob@corp.test';
const RECEIVED = new Date('2026-12-04T10:00:00.000Z');
let table: MemoryTable;
let batches: number;
let deps: { table: MemoryTable; blobs: MemoryBlobs; clock: ManualClock };

beforeEach(() => {
  table = new MemoryTable();
  batches = 0;
  const getAll = table.getAll.bind(table);
  table.getAll = async (...args) => {
    batches++;
    return getAll(...args);
  };
  deps = { table, blobs: new MemoryBlobs(), clock: new ManualClock('2026-12-05T10:00:00.000Z') };
});

/** A copy in Bob's mailbox, and the log entry of the address it came for, in a delivery state. */
async function copy(folder: Folder, sesMessageId: string, recipient = BOB, delivery?: DeliveryState) {
  const id = messageId(folder, RECEIVED, sesMessageId);
  await table.put(
    snapshotCopyItem({
      mailbox: BOB,
      ...(recipient !== BOB ? { recipient } : {}),
      folder,
      sesMessageId,
      receivedAt: RECEIVED,
      from: 'carol@partner.test',
      to: [recipient],
      read: true,
    }),
  );
  // Mail Flow sets the state on the log entry later, as an update: logEntryToItem has none.
  await table.put({
    ...logEntryToItem({
      sesMessageId,
      receivedAt: RECEIVED,
      envelopeSender: 'carol@partner.test',
      recipient,
      from: 'carol@partner.test',
      subject: 'Hi',
      size: 10,
      verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
      action: 'snapshot',
    }),
    ...(delivery ? { delivery, deliveryAttempts: 2 } : {}),
  });
  return id;
}

test('an inbox copy and its delivery state come in one batched read', async () => {
  const id = await copy('inbox', 'ses-1', BOB, 'held');
  const read = await readMessage(deps, BOB, id);
  expect(read.message.delivery).toEqual({ state: 'held', attempts: 2 });
  expect(batches).toBe(1);
});

test('no state (a domain without Mail Flow, or a log entry gone after 14 days) reads as null, still in one read', async () => {
  const id = await copy('inbox', 'ses-2');
  expect((await readMessage(deps, BOB, id)).message.delivery).toBeNull();
  expect(batches).toBe(1);
});

test('a copy that came for another address (bob+news@) reads that address’s state, with a second read', async () => {
  const id = await copy('inbox', 'ses-3', 'bob+news@corp.test', 'delivered');
  expect((await readMessage(deps, BOB, id)).message.delivery).toEqual({ state: 'delivered', attempts: 2 });
  expect(batches).toBe(2);
});

test('a Sent item has no delivery state and reads nothing for one', async () => {
  const id = await copy('sent', 'ses-4', BOB, 'delivered');
  expect((await readMessage(deps, BOB, id)).message.delivery).toBeNull();
  expect(batches).toBe(1);
});
