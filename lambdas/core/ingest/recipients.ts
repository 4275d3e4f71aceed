import type { Table } from '../../adapters/table';
import { splitAddress } from '../addresses';
import { domainFromItem, domainKey, type Domain } from '../entities/domain';
import { portalUserFromItem, portalUserKey, type PortalUser } from '../entities/portal-user';

/** What intake needs to know of an account: never its password hash, MFA secret or codes. */
export type RecipientAccount = Pick<PortalUser, 'address' | 'type' | 'discoveredBy'>;

export interface RecipientAccounts {
  domains: Map<string, Domain>;
  users: Map<string, RecipientAccount>;
}

/** The attributes read: a whole domain item, and of a user item only what decides its copy. */
const ATTRIBUTES = [
  'type',
  'name',
  'products',
  'addressDiscovery',
  'createdAt',
  'mailFlow',
  'address',
  'userType',
  'discoveredBy',
];

/**
 * `bob+news@acme.test` → `bob@acme.test`: Microsoft 365 and Google Workspace deliver plus-addressed
 * mail to the base mailbox, so its copy belongs there too. Undefined when there is no `+` tag.
 */
export function baseAddress(address: string): string | undefined {
  let parts: { localPart: string; domain: string };
  try {
    parts = splitAddress(address);
  } catch {
    return undefined;
  }
  const plus = parts.localPart.indexOf('+');
  return plus > 0 ? `${parts.localPart.slice(0, plus)}@${parts.domain}` : undefined;
}

/** The recipients' domains and accounts, in one batched read of the attributes intake needs. */
export async function loadRecipientAccounts(table: Table, recipients: string[]): Promise<RecipientAccounts> {
  const valid = recipients.flatMap((address) => {
    try {
      return [{ address, ...splitAddress(address) }];
    } catch {
      return [];
    }
  });
  const bases = valid.flatMap(({ address }) => baseAddress(address) ?? []);
  const items = await table.getAll(
    [
      ...valid.map(({ domain }) => domainKey(domain)),
      ...[...valid.map(({ address }) => address), ...bases].map(portalUserKey),
    ],
    { attributes: ATTRIBUTES },
  );
  const domains = new Map<string, Domain>();
  const users = new Map<string, RecipientAccount>();
  for (const item of items) {
    if (item.type === 'domain') {
      const domain = domainFromItem(item);
      domains.set(domain.name, domain);
    } else if (item.type === 'user') {
      const { address, type, discoveredBy } = portalUserFromItem(item);
      users.set(address, { address, type, ...(discoveredBy ? { discoveredBy } : {}) });
    }
  }
  return { domains, users };
}
