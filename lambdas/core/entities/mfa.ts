import type { ItemKey } from './keys';

/**
 * An account's TOTP factor lives beside the account (same partition, `MFA#<account sk>#…` sort
 * keys), never inside it: listing users or admins then never reads a secret or a recovery hash.
 */
export interface MfaSecret {
  /** Base32, as authenticator apps take it. */
  secret: string;
  enrolledAt: string;
  /** The TOTP time step of the last accepted code: that step and earlier ones are refused. */
  lastUsedStep: number;
}

/** An enrolment begun but not yet confirmed with a code; it lapses on its own. */
export interface PendingEnrolment {
  secret: string;
  /** Epoch seconds (the table's TTL attribute). */
  expiresAt: number;
}

export function mfaKeys(account: ItemKey) {
  const prefix = `MFA#${account.sk}#`;
  return {
    /** Which account an item belongs to, stored on each so prefix queries can check it. */
    owner: account.sk,
    secret: { pk: account.pk, sk: `${prefix}SECRET` } as ItemKey,
    pending: { pk: account.pk, sk: `${prefix}PENDING` } as ItemKey,
    recoveryPrefix: `${prefix}RECOVERY#`,
    recoveryCode: (hash: string): ItemKey => ({ pk: account.pk, sk: `${prefix}RECOVERY#${hash}` }),
  };
}

export type MfaKeys = ReturnType<typeof mfaKeys>;
