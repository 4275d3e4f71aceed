import { randomBytes } from 'node:crypto';
import type { Page, Table } from '../../adapters/table';
import { addDays, epochSeconds, type Clock } from '../clock';

export const AUDIT_RETENTION_DAYS = 90;

export interface AuditEvent {
  at: string;
  /** Who: an admin's email, `token:<id> (<email>)`, or the address that tried to sign in. */
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

const AUDIT_PARTITION = 'AUDIT';

export async function recordAudit(deps: { table: Table; clock: Clock }, event: Omit<AuditEvent, 'at'>) {
  const now = deps.clock.now();
  await deps.table.put({
    pk: AUDIT_PARTITION,
    sk: `${now.toISOString()}#${randomBytes(6).toString('hex')}`,
    type: 'audit',
    at: now.toISOString(),
    ...event,
    expiresAt: epochSeconds(addDays(now, AUDIT_RETENTION_DAYS)),
  });
}

/** Newest first, 90 days. One partition: admin actions are far below its write limit. */
export async function listAudit(
  deps: { table: Table; clock: Clock },
  page: { limit?: number; cursor?: string },
): Promise<Page<AuditEvent>> {
  const result = await deps.table.query(AUDIT_PARTITION, {
    descending: true,
    limit: Math.min(page.limit ?? 50, 200),
    cursor: page.cursor,
    liveAt: deps.clock.now(),
  });
  return {
    items: result.items.map((item) => ({
      at: String(item.at),
      actor: String(item.actor),
      action: String(item.action),
      target: String(item.target),
      ...(item.details ? { details: item.details as Record<string, unknown> } : {}),
    })),
    nextCursor: result.nextCursor,
  };
}
