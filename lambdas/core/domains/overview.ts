import type { Table } from '../../adapters/table';
import { addDays, type Clock } from '../clock';
import { normalizeDomain } from '../entities/domain';
import { portalUserFromItem, type UserType } from '../entities/portal-user';

export interface DomainOverview {
  usersByType: Partial<Record<UserType, number>>;
  totalUsers: number;
  usersWithPassword: number;
  messagesLast24h: number;
}

/** The figures on a domain's Overview tab: one pass over its users, and the last two log days. */
export async function domainOverview(
  deps: { table: Table; clock: Clock },
  domain: string,
): Promise<DomainOverview> {
  const name = normalizeDomain(domain);
  const usersByType: Partial<Record<UserType, number>> = {};
  let totalUsers = 0;
  let usersWithPassword = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.table.query(`DOMAIN#${name}`, { beginsWith: 'USER#', cursor });
    for (const user of page.items.map(portalUserFromItem)) {
      usersByType[user.type] = (usersByType[user.type] ?? 0) + 1;
      totalUsers++;
      if (user.passwordHash) usersWithPassword++;
    }
    cursor = page.nextCursor;
  } while (cursor);

  const now = deps.clock.now();
  const since = addDays(now, -1);
  const days = [...new Set([since, now].map((d) => d.toISOString().slice(0, 10)))];
  const counts = await Promise.all(
    days.map((day) =>
      deps.table.count(`LOG#${name}#${day}`, {
        liveAt: now,
        where: [{ attribute: 'receivedAt', greaterThan: since.toISOString() }],
      }),
    ),
  );
  return { usersByType, totalUsers, usersWithPassword, messagesLast24h: counts.reduce((a, b) => a + b, 0) };
}
