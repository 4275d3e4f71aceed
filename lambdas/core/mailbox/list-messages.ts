import type { Page, Table } from '../../adapters/table';
import { addDays, type Clock } from '../clock';
import {
  folderPrefix,
  mailboxPartition,
  messageFromItem,
  SNAPSHOT_RETENTION_DAYS,
  type Folder,
  type SnapshotMessage,
} from '../entities/message';
import type { XtraMailCoverage } from '../domains/xtramail-coverage';
import { parseSearch } from './search-query';

export const PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/** A search reads at most this many items per request before handing back a cursor. */
const SEARCH_SCAN_BUDGET = 2_000;

export interface MailWindow {
  /** The oldest receipt time a user can see. */
  start: Date;
  /** XtraMail was turned on less than 30 days ago: the window starts then, not 30 days back. */
  startsWhenEnabled: boolean;
  /** Times within the window when XtraMail was off, oldest first: no mail from then was copied. */
  gaps: Array<{ from: Date; to: Date }>;
}

/**
 * What a user's snapshot covers: the last 30 days, or less when XtraMail was turned on for the
 * domain since, because copying is point-forward and nothing older was copied; minus the times
 * it was off in between.
 */
export function mailWindow(clock: Clock, coverage?: XtraMailCoverage): MailWindow {
  const retention = addDays(clock.now(), -SNAPSHOT_RETENTION_DAYS);
  const since = coverage?.since ? new Date(coverage.since) : undefined;
  const shown =
    since && since > retention
      ? { start: since, startsWhenEnabled: true }
      : { start: retention, startsWhenEnabled: false };
  const gaps = (coverage?.offPeriods ?? [])
    .map((period) => ({ from: new Date(period.from), to: new Date(period.to) }))
    .filter(({ from, to }) => from < to && to > shown.start)
    .map(({ from, to }) => ({ from: from > shown.start ? from : shown.start, to }))
    .sort((a, b) => a.from.getTime() - b.from.getTime());
  return { ...shown, gaps };
}

/**
 * One page of a mailbox folder, newest first: Queries on the user's own partition only, with
 * the search as filters. A search that matches little may return a short page and a cursor.
 */
export async function listMessages(
  deps: { table: Table; clock: Clock },
  mailbox: string,
  folder: Folder,
  page: { limit?: number; cursor?: string; q?: string } = {},
): Promise<Page<SnapshotMessage>> {
  const limit = Math.min(page.limit ?? PAGE_SIZE, MAX_PAGE_SIZE);
  const { conditions } = parseSearch(page.q);
  const pk = mailboxPartition(mailbox);
  const items: SnapshotMessage[] = [];
  let lastKey: { pk: string; sk: string } | undefined;
  let cursor = page.cursor;
  let scanned = 0;
  do {
    // Without filters a Query returns exactly what it reads; with them, read ahead in bigger pages.
    const readAhead = conditions.length ? Math.min(500, SEARCH_SCAN_BUDGET - scanned) : limit - items.length;
    const result = await deps.table.query(pk, {
      beginsWith: folderPrefix(folder),
      descending: true,
      limit: readAhead,
      cursor,
      liveAt: deps.clock.now(),
      where: conditions,
    });
    scanned += readAhead;
    for (const item of result.items) {
      if (items.length === limit) {
        // Full: continue after the last item handed out, not after the last one read.
        return { items, nextCursor: deps.table.cursorAfter(lastKey!) };
      }
      items.push(messageFromItem(item));
      lastKey = { pk: item.pk, sk: item.sk };
    }
    cursor = result.nextCursor;
  } while (cursor && items.length < limit && scanned < SEARCH_SCAN_BUDGET);
  return { items, nextCursor: cursor };
}
