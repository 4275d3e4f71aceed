import type { Page, Table } from '../../adapters/table';
import type { Clock } from '../clock';
import {
  folderPrefix,
  mailboxPartition,
  messageFromItem,
  type Folder,
  type SnapshotMessage,
} from '../entities/message';

export const PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** One page of a mailbox folder, newest first: one Query on the user's own partition. */
export async function listMessages(
  deps: { table: Table; clock: Clock },
  mailbox: string,
  folder: Folder,
  page: { limit?: number; cursor?: string } = {},
): Promise<Page<SnapshotMessage>> {
  const result = await deps.table.query(mailboxPartition(mailbox), {
    beginsWith: folderPrefix(folder),
    descending: true,
    limit: Math.min(page.limit ?? PAGE_SIZE, MAX_PAGE_SIZE),
    cursor: page.cursor,
    liveAt: deps.clock.now(),
  });
  return { items: result.items.map(messageFromItem), nextCursor: result.nextCursor };
}
