import type { Table } from '../../adapters/table';
import { splitAddress } from '../addresses';
import { domainFromItem, domainKey, type Domain } from '../entities/domain';
import { portalUserFromItem, portalUserKey, type PortalUser } from '../entities/portal-user';

export interface RecipientAccounts {
  domains: Map<string, Domain>;
  users: Map<string, PortalUser>;
}

/** The recipients' domains and accounts, in one batched read. */
export async function loadRecipientAccounts(table: Table, recipients: string[]): Promise<RecipientAccounts> {
  const valid = recipients.flatMap((address) => {
    try {
      return [{ address, ...splitAddress(address) }];
    } catch {
      return [];
    }
  });
  const items = await table.getAll([
    ...valid.map(({ domain }) => domainKey(domain)),
    ...valid.map(({ address }) => portalUserKey(address)),
  ]);
  const domains = new Map<string, Domain>();
  const users = new Map<string, PortalUser>();
  for (const item of items) {
    if (item.type === 'domain') {
      const domain = domainFromItem(item);
      domains.set(domain.name, domain);
    } else if (item.type === 'user') {
      const user = portalUserFromItem(item);
      users.set(user.address, user);
    }
  }
  return { domains, users };
}
