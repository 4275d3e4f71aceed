import type { Page, Table } from '../../adapters/table';
import { addDays, type Clock } from '../clock';
import { normalizeDomain } from '../entities/domain';
import { logEntryFromItem, LOG_RETENTION_DAYS, type LogEntry } from '../entities/log-entry';
import { AppError } from '../errors';

interface LogCursor {
  /** The day partition being read, and DynamoDB's cursor within it. */
  day: string;
  inner?: string;
}

const encode = (cursor: LogCursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
function decode(cursor: string): LogCursor {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed?.day === 'string' && /^\d{4}-\d\d-\d\d$/.test(parsed.day)) return parsed;
  } catch {
    // fall through
  }
  throw new AppError(
    400,
    'invalid_cursor',
    'The cursor is not valid for this list. Start again from the first page.',
  );
}

const dayOf = (date: Date) => date.toISOString().slice(0, 10);
const previousDay = (day: string) => dayOf(addDays(new Date(`${day}T00:00:00.000Z`), -1));

/**
 * A domain's message log, newest first, within the 14-day window (and `from`/`to` if given).
 * Each day is its own partition, so a page walks back day by day until it is full.
 */
export async function listLogs(
  deps: { table: Table; clock: Clock },
  domain: string,
  options: {
    from?: Date;
    to?: Date;
    limit?: number;
    cursor?: string;
    matches?: (entry: LogEntry) => boolean;
  } = {},
): Promise<Page<LogEntry>> {
  const now = deps.clock.now();
  const windowStart = addDays(now, -LOG_RETENTION_DAYS);
  const from = options.from && options.from > windowStart ? options.from : windowStart;
  const to = options.to && options.to < now ? options.to : now;
  const limit = Math.min(options.limit ?? 50, 200);
  const items: LogEntry[] = [];
  let cursor: LogCursor | undefined = options.cursor ? decode(options.cursor) : { day: dayOf(to) };

  while (cursor && cursor.day >= dayOf(from) && items.length < limit) {
    const page = await deps.table.query(`LOG#${normalizeDomain(domain)}#${cursor.day}`, {
      descending: true,
      limit: limit - items.length,
      cursor: cursor.inner,
      liveAt: now,
    });
    for (const entry of page.items.map(logEntryFromItem)) {
      if (entry.receivedAt >= from && entry.receivedAt <= to && (options.matches?.(entry) ?? true))
        items.push(entry);
    }
    cursor = page.nextCursor ? { day: cursor.day, inner: page.nextCursor } : { day: previousDay(cursor.day) };
  }
  const more = cursor && cursor.day >= dayOf(from);
  return { items, nextCursor: more ? encode(cursor!) : undefined };
}
