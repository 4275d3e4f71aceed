import type { DrillSummary } from './drills';
import type { DrillParticipant } from './drill-entities';

/**
 * A cell as RFC 4180 wants it (quoted when it holds a comma, quote or line break), and never
 * read as a formula by a spreadsheet: a leading = + - @ tab or carriage return gets a quote
 * prefix (OWASP's CSV injection advice).
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const csvRow = (cells: string[]) => cells.map(csvCell).join(',');

/**
 * One line per participant: address, whether the link went out (`queued` while a large drill's
 * links are still being mailed), when they completed.
 */
export function drillReportCsv(drill: DrillSummary, participants: DrillParticipant[]): string {
  const lines = [
    csvRow(['drill', 'started_at', 'address', 'link_sent', 'not_sent_reason', 'completed_at']),
    ...participants.map((p) =>
      csvRow([
        drill.drillId,
        drill.startedAt,
        p.address,
        p.sent ? 'yes' : p.status === 'queued' ? 'queued' : 'no',
        p.reason ?? '',
        p.completedAt ?? '',
      ]),
    ),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
