/** Addresses are compared and keyed in lower case; the local part's case is not meaningful in practice. */
export const normalizeAddress = (address: string): string => address.trim().toLowerCase();

export function splitAddress(address: string): { localPart: string; domain: string } {
  const normalized = normalizeAddress(address);
  const at = normalized.lastIndexOf('@');
  if (at <= 0 || at === normalized.length - 1) throw new Error(`Not an email address: ${address}`);
  return { localPart: normalized.slice(0, at), domain: normalized.slice(at + 1) };
}

export const domainOf = (address: string): string => splitAddress(address).domain;
