import { normalizeAddress, splitAddress } from '../addresses';
import type { Item, ItemKey } from './keys';

/** Only these account types are billable: they get a snapshot and portal access. */
export const ELIGIBLE_USER_TYPES = ['user', 'discovered'] as const;
export const USER_TYPES = [
  'user',
  'discovered',
  'mailing_list',
  'alias',
  'shared_mailbox',
  'system',
] as const;
export type UserType = (typeof USER_TYPES)[number];

export interface PortalUser {
  address: string;
  type: UserType;
  passwordHash?: string;
  mustChangePassword: boolean;
  tokenVersion: number;
  createdAt: string;
  /** For a Discovered User: the message that revealed the address (keeps a retried event's log right). */
  discoveredBy?: string;
  /** A personal mailbox outside the domain, for sign-in links when the primary system is down. */
  backupAddress?: string;
  /** Set once TOTP enrolment is confirmed; the secret and recovery codes live in their own item. */
  mfaEnrolledAt?: string;
  lastSignInAt?: string;
}

export const isEligible = (type: UserType): boolean =>
  (ELIGIBLE_USER_TYPES as readonly string[]).includes(type);

export function portalUserKey(address: string): ItemKey {
  const { localPart, domain } = splitAddress(address);
  return { pk: `DOMAIN#${domain}`, sk: `USER#${localPart}` };
}

export const portalUserToItem = (user: PortalUser): Item => ({
  ...portalUserKey(user.address),
  type: 'user',
  address: normalizeAddress(user.address),
  userType: user.type,
  ...(user.passwordHash ? { passwordHash: user.passwordHash } : {}),
  mustChangePassword: user.mustChangePassword,
  tokenVersion: user.tokenVersion,
  createdAt: user.createdAt,
  ...(user.discoveredBy ? { discoveredBy: user.discoveredBy } : {}),
  ...(user.backupAddress ? { backupAddress: user.backupAddress } : {}),
  ...(user.mfaEnrolledAt ? { mfaEnrolledAt: user.mfaEnrolledAt } : {}),
  ...(user.lastSignInAt ? { lastSignInAt: user.lastSignInAt } : {}),
});

export const portalUserFromItem = (item: Item): PortalUser => ({
  address: String(item.address),
  type: (USER_TYPES as readonly string[]).includes(String(item.userType))
    ? (item.userType as UserType)
    : 'system',
  passwordHash: typeof item.passwordHash === 'string' ? item.passwordHash : undefined,
  mustChangePassword: item.mustChangePassword === true,
  tokenVersion: Number(item.tokenVersion ?? 0),
  createdAt: String(item.createdAt),
  ...(typeof item.discoveredBy === 'string' ? { discoveredBy: item.discoveredBy } : {}),
  ...(typeof item.backupAddress === 'string' ? { backupAddress: item.backupAddress } : {}),
  ...(typeof item.mfaEnrolledAt === 'string' ? { mfaEnrolledAt: item.mfaEnrolledAt } : {}),
  ...(typeof item.lastSignInAt === 'string' ? { lastSignInAt: item.lastSignInAt } : {}),
});
