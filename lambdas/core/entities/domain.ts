import { mailFlowFromAttribute, mailFlowToAttribute, type MailFlowSettings } from '../mail-flow/settings';
import type { Item, ItemKey } from './keys';

/** A time XtraMail was off, between two times it was on: mail received then was not copied. */
export interface OffPeriod {
  from: string;
  to: string;
}

export interface XtraMailProduct {
  enabled: boolean;
  /** When copying last started: mail received before this is never copied (point-forward). */
  enabledAt?: string;
  disabledAt?: string;
  /**
   * Set when XtraMail went back on while copies from before were still live: the start of the
   * oldest of them, and the off periods since (see `coverageOnEnable`).
   */
  copiesSince?: string;
  offPeriods?: OffPeriod[];
}

export interface Domain {
  name: string;
  xtramail: XtraMailProduct;
  /** Unknown addresses become Discovered Users when on; otherwise they are invalid recipients. */
  addressDiscovery: boolean;
  createdAt: string;
  /** Delivery to the primary mail server; absent until an admin configures Mail Flow. */
  mailFlow?: MailFlowSettings;
}

export const normalizeDomain = (name: string): string => name.trim().toLowerCase().replace(/\.$/, '');

export const domainKey = (name: string): ItemKey => ({ pk: `DOMAIN#${normalizeDomain(name)}`, sk: 'DOMAIN' });

export const domainToItem = (domain: Domain): Item => ({
  ...domainKey(domain.name),
  type: 'domain',
  name: normalizeDomain(domain.name),
  products: { xtramail: domain.xtramail },
  addressDiscovery: domain.addressDiscovery,
  createdAt: domain.createdAt,
  ...(domain.mailFlow ? { mailFlow: mailFlowToAttribute(domain.mailFlow) } : {}),
});

export function domainFromItem(item: Item): Domain {
  const products = (item.products ?? {}) as { xtramail?: XtraMailProduct };
  return {
    name: String(item.name),
    xtramail: { enabled: products.xtramail?.enabled === true, ...products.xtramail },
    addressDiscovery: item.addressDiscovery !== false,
    createdAt: String(item.createdAt),
    ...(item.mailFlow !== undefined && item.mailFlow !== null
      ? { mailFlow: mailFlowFromAttribute(item.mailFlow) }
      : {}),
  };
}

/** Point-forward: a message is copied only if XtraMail was on when it was received. */
export const xtramailCoversReceipt = (domain: Domain, receivedAt: Date): boolean =>
  domain.xtramail.enabled &&
  domain.xtramail.enabledAt !== undefined &&
  Date.parse(domain.xtramail.enabledAt) <= receivedAt.getTime();
