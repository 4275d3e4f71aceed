import type { Table } from '../../adapters/table';
import { splitAddress } from '../addresses';
import { domainFromItem, domainKey } from '../entities/domain';
import { isEligible, portalUserFromItem, portalUserKey, type PortalUser } from '../entities/portal-user';

export type LinkRefusal = 'not_found' | 'not_eligible' | 'xtramail_off' | 'no_backup_address';

export const REFUSAL_REASONS: Record<LinkRefusal, string> = {
  not_found: 'Not a user of this domain.',
  not_eligible: 'Not a User or Discovered User: only those accounts get portal access.',
  xtramail_off: 'XtraMail is off for this domain, so its users have no portal access.',
  no_backup_address: 'No backup address: set one before sending a link.',
};

/** Who may be sent a link: a User or Discovered User of a domain with XtraMail on, with a backup address. */
export function linkRecipient(
  user: PortalUser | undefined,
  xtramailOn: boolean,
): { user: PortalUser; backupAddress: string } | { refusal: LinkRefusal } {
  if (!user) return { refusal: 'not_found' };
  if (!isEligible(user.type)) return { refusal: 'not_eligible' };
  if (!xtramailOn) return { refusal: 'xtramail_off' };
  if (!user.backupAddress) return { refusal: 'no_backup_address' };
  return { user, backupAddress: user.backupAddress };
}

/** The user and whether their domain has XtraMail on, in one read. */
export async function loadLinkRecipient(deps: { table: Table }, address: string) {
  let domain: string;
  try {
    domain = splitAddress(address).domain;
  } catch {
    return linkRecipient(undefined, false);
  }
  const items = await deps.table.getAll([portalUserKey(address), domainKey(domain)]);
  const userItem = items.find((item) => item.type === 'user');
  const domainItem = items.find((item) => item.type === 'domain');
  return linkRecipient(
    userItem && portalUserFromItem(userItem),
    Boolean(domainItem && domainFromItem(domainItem).xtramail.enabled),
  );
}
