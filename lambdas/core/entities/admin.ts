import { normalizeAddress } from '../addresses';
import type { Item, ItemKey } from './keys';

export type AdminRole = 'partner' | 'domain';

export interface Admin {
  email: string;
  role: AdminRole;
  /** Domains a domain admin may manage; a partner admin manages all of them. */
  domains: string[];
  passwordHash: string;
  /** Bumped on password change so earlier sessions stop verifying. */
  tokenVersion: number;
  createdAt: string;
  /** Set once TOTP enrolment is confirmed; the secret and recovery codes live in their own item. */
  mfaEnrolledAt?: string;
  lastSignInAt?: string;
}

export const adminKey = (email: string): ItemKey => ({
  pk: `ADMIN#${normalizeAddress(email)}`,
  sk: 'ADMIN',
});

export const adminToItem = (admin: Admin): Item => ({
  ...adminKey(admin.email),
  type: 'admin',
  email: normalizeAddress(admin.email),
  role: admin.role,
  domains: admin.domains,
  passwordHash: admin.passwordHash,
  tokenVersion: admin.tokenVersion,
  createdAt: admin.createdAt,
  ...(admin.mfaEnrolledAt ? { mfaEnrolledAt: admin.mfaEnrolledAt } : {}),
  ...(admin.lastSignInAt ? { lastSignInAt: admin.lastSignInAt } : {}),
});

export const adminFromItem = (item: Item): Admin => ({
  email: String(item.email),
  role: item.role === 'partner' ? 'partner' : 'domain',
  domains: Array.isArray(item.domains) ? item.domains.map(String) : [],
  passwordHash: String(item.passwordHash),
  tokenVersion: Number(item.tokenVersion ?? 0),
  createdAt: String(item.createdAt),
  ...(typeof item.mfaEnrolledAt === 'string' ? { mfaEnrolledAt: item.mfaEnrolledAt } : {}),
  ...(typeof item.lastSignInAt === 'string' ? { lastSignInAt: item.lastSignInAt } : {}),
});
