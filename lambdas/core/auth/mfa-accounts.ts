import type { Table } from '../../adapters/table';
import { adminFromItem, adminKey, adminToItem } from '../entities/admin';
import type { Item, ItemKey } from '../entities/keys';
import { portalUserFromItem, portalUserKey, portalUserToItem } from '../entities/portal-user';
import { notFound } from '../errors';
import { MfaFactor, type MfaAccountStore, type MfaDeps } from './mfa';

/*
 * Enrolling and disabling both bump the account's tokenVersion, as a password change does.
 * Enrolling ends every session that was opened with the password alone (one of them may be
 * whoever made the user turn MFA on); disabling ends every session that was opened with a
 * second factor, so no older session outlives a change to how this account signs in. The
 * session that made the change gets a fresh cookie in the same response.
 */

interface Versioned {
  tokenVersion: number;
  mfaEnrolledAt?: string;
}

function accountStore<E extends Versioned>(
  table: Table,
  key: (subject: string) => ItemKey,
  fromItem: (item: Item) => E,
  toItem: (entity: E) => Item,
  missing: string,
): MfaAccountStore {
  return {
    key,
    async setEnrolled(subject, enrolledAt) {
      // Compare-and-set on tokenVersion: a password change racing with this cannot be lost.
      for (let attempt = 0; attempt < 5; attempt++) {
        const item = await table.get(key(subject));
        if (!item) throw notFound(missing);
        const entity = fromItem(item);
        const tokenVersion = entity.tokenVersion + 1;
        // Start from the stored item, so attributes the entity does not model survive.
        const updated: Item = { ...item, ...toItem({ ...entity, tokenVersion, mfaEnrolledAt: enrolledAt }) };
        if (!enrolledAt) delete updated.mfaEnrolledAt;
        const stored = typeof item.tokenVersion === 'number' ? item.tokenVersion : null;
        if (await table.put(updated, { ifMatches: { tokenVersion: stored } })) return tokenVersion;
      }
      throw new Error(`The account ${subject} kept changing while two-step sign-in was being updated`);
    },
  };
}

export const portalMfaAccounts = (table: Table) =>
  accountStore(table, portalUserKey, portalUserFromItem, portalUserToItem, 'No such user.');

export const adminMfaAccounts = (table: Table) =>
  accountStore(table, adminKey, adminFromItem, adminToItem, 'No such admin.');

/** The name authenticator apps show above the account, so console and portal entries differ. */
export const portalMfa = (deps: MfaDeps) =>
  new MfaFactor(deps, 'portal', portalMfaAccounts(deps.table), 'XtraMail');

export const adminMfa = (deps: MfaDeps) =>
  new MfaFactor(deps, 'console', adminMfaAccounts(deps.table), 'XtraMail Console');
