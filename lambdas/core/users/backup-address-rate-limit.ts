import type { Table } from '../../adapters/table';
import { epochSeconds, type Clock } from '../clock';
import { normalizeAddress } from '../addresses';
import { AppError } from '../errors';

/**
 * A user may change their own backup address this many times an hour. Every change mails the
 * new address, so without a limit a signed-in account could be used to send mail to anyone.
 */
export const BACKUP_CHANGES_PER_HOUR = 5;
const WINDOW_SECONDS = 60 * 60;

/** Counts one self-service change; throws 429 with Retry-After once the hour's changes are used. */
export async function takeBackupChange(deps: { table: Table; clock: Clock }, user: string): Promise<void> {
  const now = epochSeconds(deps.clock.now());
  const windowStart = Math.floor(now / WINDOW_SECONDS) * WINDOW_SECONDS;
  const windowEnd = windowStart + WINDOW_SECONDS;
  const count = await deps.table.increment(
    { pk: `BACKUPRATE#${normalizeAddress(user)}`, sk: `WINDOW#${windowStart}` },
    'changes',
    1,
    { expiresAt: windowEnd + WINDOW_SECONDS },
  );
  if (count > BACKUP_CHANGES_PER_HOUR) {
    const retryAfter = windowEnd - now;
    throw new AppError(
      429,
      'too_many_changes',
      `Your backup address was changed too often. Try again in ${Math.ceil(retryAfter / 60)} minutes.`,
      { 'Retry-After': String(retryAfter) },
    );
  }
}
