import { CsvError, parse } from 'csv-parse/sync';
import { normalizeAddress, splitAddress } from '../addresses';
import { normalizeDomain } from '../entities/domain';
import {
  portalUserFromItem,
  portalUserKey,
  portalUserToItem,
  type PortalUser,
} from '../entities/portal-user';
import { AppError, badRequest } from '../errors';
import type { DeliveryQueue } from '../../adapters/delivery-queue';
import { checkBackupAddress, managedDomains, notifyChange, type BackupAddressDeps } from './backup-address';
import { IN_REQUEST_NOTICE_LIMIT, queueBackupNotices } from './backup-notice-job';

/** An import stays inside one API request: each changed row sends two emails through SES. */
export const MAX_IMPORT_ROWS = 500;
export const MAX_IMPORT_BYTES = 100_000;
/** Notification emails in flight at once, to stay well inside SES's sending rate. */
const SEND_CONCURRENCY = 8;

export type ImportStatus = 'updated' | 'unchanged' | 'unknown-user' | 'invalid' | 'not-eligible';

export interface ImportRow {
  /** The line of the file, counting from 1, so the admin can find it. */
  line: number;
  address: string;
  status: ImportStatus;
  message?: string;
}

export interface ImportResult {
  rows: ImportRow[];
  counts: Record<ImportStatus, number>;
  /** Changes whose notices the deliver function sends within minutes (large imports). */
  noticesQueued: number;
}

interface CsvLine {
  line: number;
  address: string;
  backupAddress: string;
}

const HEADER_NAMES = { address: ['address', 'email', 'user'], backup: ['backupaddress', 'backup'] };
const headerName = (cell: string) => cell.toLowerCase().replace(/[\s_-]/g, '');

/**
 * Reads `address,backupAddress` lines. A header row naming the columns is optional (and may put
 * them in either order); blank lines, a byte-order mark and spaces around fields are ignored.
 */
export function parseBackupCsv(csv: string): CsvLine[] {
  if (Buffer.byteLength(csv, 'utf8') > MAX_IMPORT_BYTES)
    throw new AppError(
      413,
      'too_large',
      `The file is larger than ${MAX_IMPORT_BYTES / 1000} KB. Split it into smaller files.`,
    );
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(csv, {
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (error) {
    if (error instanceof CsvError) throw badRequest(`The file isn't valid CSV: ${error.message}`);
    throw error;
  }
  let addressColumn = 0;
  let backupColumn = 1;
  const first = records[0]?.record.map(headerName) ?? [];
  if (first.some((cell) => HEADER_NAMES.address.includes(cell))) {
    addressColumn = first.findIndex((cell) => HEADER_NAMES.address.includes(cell));
    backupColumn = first.findIndex((cell) => HEADER_NAMES.backup.includes(cell));
    if (backupColumn < 0) throw badRequest('The header row has no "backupAddress" column.');
    records = records.slice(1);
  }
  const lines = records
    .filter(({ record }) => record.some((cell) => cell !== ''))
    .map(({ record, info }) => ({
      line: info.lines,
      address: record[addressColumn] ?? '',
      backupAddress: record[backupColumn] ?? '',
    }));
  if (lines.length === 0) throw badRequest('The file has no rows. Each line needs address,backupAddress.');
  if (lines.length > MAX_IMPORT_ROWS)
    throw new AppError(
      413,
      'too_large',
      `The file has ${lines.length} rows; an import takes at most ${MAX_IMPORT_ROWS}. Split it into smaller files.`,
    );
  return lines;
}

/** `ann` means ann@<domain>; an address elsewhere is nobody in this domain. */
function userAddress(domain: string, value: string): string | undefined {
  const full = value.includes('@') ? value : `${value}@${domain}`;
  try {
    const { domain: of } = splitAddress(full);
    return of === domain ? normalizeAddress(full) : undefined;
  } catch {
    return undefined;
  }
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.allSettled(items.slice(i, i + size).map(run));
}

/**
 * Sets backup addresses from a CSV file for one domain. Every row gets its own outcome; a bad
 * row never stops the others. A user named twice is refused on the later line rather than
 * silently taking whichever came last. Changed users are written in one batch, then the old
 * and new addresses of each are told.
 */
export async function importBackupAddresses(
  deps: BackupAddressDeps & { queue?: DeliveryQueue },
  domainName: string,
  csv: string,
): Promise<ImportResult> {
  const domain = normalizeDomain(domainName);
  const lines = parseBackupCsv(csv).map((line) => ({ ...line, user: userAddress(domain, line.address) }));
  const keys = [...new Set(lines.flatMap((line) => (line.user ? [line.user] : [])))].map(portalUserKey);
  const users = new Map(
    (await deps.table.getAll(keys)).map(portalUserFromItem).map((user) => [user.address, user]),
  );
  const isManaged = managedDomains(deps);
  const rows: ImportRow[] = [];
  const seen = new Set<string>();
  const changed: Array<{ user: PortalUser; previous?: string }> = [];
  for (const line of lines) {
    const address = line.user;
    if (!address) {
      rows.push({
        line: line.line,
        address: line.address,
        status: 'unknown-user',
        message: `Not an address of ${domain}.`,
      });
      continue;
    }
    if (seen.has(address)) {
      rows.push({
        line: line.line,
        address,
        status: 'invalid',
        message: 'This user is already on an earlier line of the file.',
      });
      continue;
    }
    seen.add(address);
    const user = users.get(address);
    if (!user) {
      rows.push({ line: line.line, address, status: 'unknown-user', message: `Not a user of ${domain}.` });
      continue;
    }
    if (line.backupAddress === '') {
      rows.push({ line: line.line, address, status: 'invalid', message: 'The backup address is empty.' });
      continue;
    }
    const checked = await checkBackupAddress(isManaged, user, line.backupAddress);
    if (!checked.ok) {
      rows.push({ line: line.line, address, status: checked.reason, message: checked.message });
      continue;
    }
    if (user.backupAddress === checked.address) {
      rows.push({ line: line.line, address, status: 'unchanged' });
      continue;
    }
    changed.push({ user: { ...user, backupAddress: checked.address }, previous: user.backupAddress });
    rows.push({ line: line.line, address, status: 'updated' });
  }
  let noticesQueued = 0;
  if (changed.length > 0) {
    await deps.table.putAll(changed.map(({ user }) => portalUserToItem(user)));
    const notices = changed.map(({ user, previous }) => ({
      user: user.address,
      previous,
      next: user.backupAddress,
    }));
    // Many changes would outlast the request at SES's send rate: the deliver function tells them.
    if (deps.queue && notices.length > IN_REQUEST_NOTICE_LIMIT)
      noticesQueued = await queueBackupNotices(deps.queue, notices);
    else await inBatches(notices, SEND_CONCURRENCY, (notice) => notifyChange(deps, notice));
  }
  const counts: Record<ImportStatus, number> = {
    updated: 0,
    unchanged: 0,
    'unknown-user': 0,
    invalid: 0,
    'not-eligible': 0,
  };
  for (const row of rows) counts[row.status]++;
  return { rows, counts, noticesQueued };
}
