import type { Table } from '../../adapters/table';
import { splitAddress } from '../addresses';
import { domainFromItem, domainKey } from '../entities/domain';
import { DEFAULT_MAIL_FLOW } from '../mail-flow/settings';
import { storedStatusFromItem, storedStatusKey } from '../mail-flow/status';

/** What the portal banner says: nothing, or why mail is not reaching the user's main mailbox. */
export type OutageStatus =
  { outage: false } | { outage: true; reason: 'paused' | 'bad'; notice?: string; since?: string };

/**
 * The portal's outage banner for a user's domain: on while Mail Flow is paused, or while its
 * status is Bad. The status is the one the deliver handler stored on its last flip (a domain
 * with none stored is Good), so this is one batched read of two items, cheap enough to poll.
 */
export async function outageStatus(deps: { table: Table }, userAddress: string): Promise<OutageStatus> {
  const domain = splitAddress(userAddress).domain;
  const items = await deps.table.getAll([domainKey(domain), storedStatusKey(domain)]);
  const domainItem = items.find((item) => item.type === 'domain');
  const statusItem = items.find((item) => item.type === 'mail-flow-status');
  const settings = (domainItem && domainFromItem(domainItem).mailFlow) ?? DEFAULT_MAIL_FLOW;
  const stored = statusItem ? storedStatusFromItem(statusItem) : undefined;
  const notice = settings.notice?.trim() ? { notice: settings.notice.trim() } : {};
  if (settings.inbound === 'paused') return { outage: true, reason: 'paused', ...notice };
  if (stored?.status === 'Bad')
    return { outage: true, reason: 'bad', ...notice, since: stored.changedAt.toISOString() };
  return { outage: false };
}
