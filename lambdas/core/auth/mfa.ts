import type { Table } from '../../adapters/table';
import type { Clock } from '../clock';
import { epochSeconds } from '../clock';
import type { Item, ItemKey } from '../entities/keys';
import { mfaKeys, type MfaKeys } from '../entities/mfa';
import { AppError, notFound } from '../errors';
import { LoginThrottle } from './login-throttle';
import {
  hashRecoveryCode,
  looksLikeRecoveryCode,
  newRecoveryCodes,
  RECOVERY_CODE_COUNT,
} from './mfa-recovery-codes';
import { matchingStep, newTotpSecret, otpauthUri, qrCodeDataUrl } from './mfa-totp';
import { aesGcmSecretBox, type SecretBox } from './secret-box';
import type { SessionAudience } from './session-token';

/** Long enough to find the phone and scan; a lapsed enrolment simply starts again. */
export const ENROLMENT_TTL_SECONDS = 15 * 60;

export interface MfaDeps {
  table: Table;
  clock: Clock;
  /** Key material TOTP secrets are sealed with before they are stored (see secret-box.ts). */
  mfaKey: () => Promise<Uint8Array>;
}

/** A sealed secret opens only on the account it was sealed for. */
const sealContext = (pk: unknown, owner: unknown) => `${String(pk)}#${String(owner)}`;

/** Where the accounts of one audience live, and how enrolment is recorded on them. */
export interface MfaAccountStore {
  /** The account item's key: its MFA items live in the same partition. */
  key(subject: string): ItemKey;
  /**
   * Sets or clears `mfaEnrolledAt` on the account and bumps its tokenVersion (ending its other
   * sessions); returns the new tokenVersion. Throws 404 if the account is gone.
   */
  setEnrolled(subject: string, enrolledAt: string | undefined): Promise<number>;
}

export type CodeKind = 'totp' | 'recovery';

export interface MfaStatus {
  enrolled: boolean;
  enrolledAt?: string;
  recoveryCodesLeft: number;
}

export const invalidCode = (status: 400 | 401) =>
  new AppError(
    status,
    'invalid_code',
    'That code is not right, or it was already used. Type the current code from your authenticator app, or one of your recovery codes.',
  );

const notEnrolled = () =>
  new AppError(409, 'mfa_not_enrolled', 'Two-step sign-in is not set up for this account.');

/**
 * TOTP two-step sign-in for one audience's accounts: enrolment with a QR code, verification
 * that accepts each time step once, ten one-time recovery codes, and disable. Every code
 * attempt counts against an attempt limit of its own (a right password does not reset it).
 */
export class MfaFactor {
  private readonly throttle: LoginThrottle;
  private readonly box: SecretBox;

  constructor(
    private readonly deps: MfaDeps,
    audience: SessionAudience,
    private readonly accounts: MfaAccountStore,
    /** Shown in the authenticator app above the account name. */
    private readonly issuer: string,
  ) {
    this.throttle = new LoginThrottle(deps.table, deps.clock, `${audience}-mfa`);
    this.box = aesGcmSecretBox(deps.mfaKey);
  }

  private keys(subject: string): MfaKeys {
    return mfaKeys(this.accounts.key(subject));
  }

  async status(subject: string): Promise<MfaStatus> {
    const keys = this.keys(subject);
    const secret = await this.deps.table.get(keys.secret);
    if (!secret) return { enrolled: false, recoveryCodesLeft: 0 };
    return {
      enrolled: true,
      enrolledAt: String(secret.enrolledAt),
      recoveryCodesLeft: await this.deps.table.count(keys.secret.pk, {
        beginsWith: keys.recoveryPrefix,
        where: [{ attribute: 'owner', equals: keys.owner }],
      }),
    };
  }

  /** A new secret to scan; nothing changes for sign-in until a code from it is confirmed. */
  async beginEnrolment(subject: string) {
    const keys = this.keys(subject);
    if (await this.deps.table.get(keys.secret)) {
      throw new AppError(
        409,
        'mfa_already_enrolled',
        'Two-step sign-in is already set up. Turn it off first to use a new authenticator.',
      );
    }
    const secret = newTotpSecret();
    const expiresAt = epochSeconds(this.deps.clock.now()) + ENROLMENT_TTL_SECONDS;
    await this.deps.table.put({
      ...keys.pending,
      type: 'mfa-pending',
      owner: keys.owner,
      secret: await this.box.seal(secret, sealContext(keys.pending.pk, keys.owner)),
      expiresAt,
    });
    const uri = otpauthUri(secret, this.issuer, subject);
    return {
      secret,
      otpauthUri: uri,
      qrCode: await qrCodeDataUrl(uri),
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    };
  }

  /** A code from the new secret proves the app has it; returns the recovery codes, shown once. */
  async confirmEnrolment(subject: string, code: string, sourceIp: string) {
    await this.throttle.assertAllowed(subject, sourceIp);
    const keys = this.keys(subject);
    const now = this.deps.clock.now();
    const pending = await this.deps.table.get(keys.pending);
    if (!pending || Number(pending.expiresAt) <= epochSeconds(now)) {
      throw new AppError(
        409,
        'no_enrolment_pending',
        'This setup has expired or was never started. Start again to get a new QR code.',
      );
    }
    // Stored as sealed; the secret item keeps the same sealed value (same account, same context).
    const secret = String(pending.secret);
    const step = matchingStep(await this.box.open(secret, sealContext(pending.pk, keys.owner)), code, now);
    if (step === undefined) {
      await this.throttle.recordFailure(subject, sourceIp);
      throw invalidCode(400);
    }
    const enrolledAt = now.toISOString();
    // The confirming code's step counts as used: it cannot sign in afterwards.
    const stored = await this.deps.table.put(
      { ...keys.secret, type: 'mfa-secret', owner: keys.owner, secret, enrolledAt, lastUsedStep: step },
      { ifAbsent: true },
    );
    if (!stored) {
      throw new AppError(409, 'mfa_already_enrolled', 'Two-step sign-in is already set up.');
    }
    await this.deps.table.delete(keys.pending);
    await this.throttle.recordSuccess(subject);
    const recoveryCodes = await this.replaceRecoveryCodes(keys);
    const tokenVersion = await this.accounts.setEnrolled(subject, enrolledAt);
    return { enrolledAt, recoveryCodes, tokenVersion };
  }

  /**
   * Checks a TOTP code or a recovery code for an enrolled account; a recovery code is used up.
   * Returns which kind matched, or undefined (counted as a failed attempt). Throws 429 while
   * the account or the source is locked out.
   */
  async verify(subject: string, code: string, sourceIp: string): Promise<CodeKind | undefined> {
    await this.throttle.assertAllowed(subject, sourceIp);
    const keys = this.keys(subject);
    const secret = await this.deps.table.get(keys.secret);
    let matched: CodeKind | undefined;
    if (secret && (await this.acceptTotp(secret, code))) matched = 'totp';
    else if (secret && looksLikeRecoveryCode(code)) {
      // Deleting only if present is the claim: of two uses of one code, exactly one wins.
      const used = await this.deps.table.delete(keys.recoveryCode(hashRecoveryCode(code)), {
        ifExists: true,
      });
      if (used) matched = 'recovery';
    }
    if (!matched) {
      await this.throttle.recordFailure(subject, sourceIp);
      return undefined;
    }
    await this.throttle.recordSuccess(subject);
    return matched;
  }

  /** Ends two-step sign-in; a current code (or a recovery code) must come with the request. */
  async disable(subject: string, code: string, sourceIp: string) {
    const keys = this.keys(subject);
    if (!(await this.deps.table.get(keys.secret))) throw notEnrolled();
    if (!(await this.verify(subject, code, sourceIp))) throw invalidCode(400);
    await this.deleteRecoveryCodes(keys);
    await this.deps.table.delete(keys.secret);
    await this.deps.table.delete(keys.pending);
    return { tokenVersion: await this.accounts.setEnrolled(subject, undefined) };
  }

  /**
   * An administrator's reset for someone who lost both the phone and the recovery codes: TOTP
   * off and the account's sessions ended. Nothing changes (not even sessions) when it was off.
   * Returns whether it was on. 404 if the account does not exist.
   */
  async reset(subject: string): Promise<boolean> {
    const keys = this.keys(subject);
    if (!(await this.deps.table.get(this.accounts.key(subject)))) throw notFound('No such account.');
    await this.deps.table.delete(keys.pending);
    if (!(await this.deps.table.get(keys.secret))) return false;
    await this.deleteRecoveryCodes(keys);
    await this.deps.table.delete(keys.secret);
    await this.accounts.setEnrolled(subject, undefined);
    return true;
  }

  /** Ten new recovery codes (shown once); the old ones stop working. Needs a current code. */
  async regenerateRecoveryCodes(subject: string, code: string, sourceIp: string) {
    const keys = this.keys(subject);
    if (!(await this.deps.table.get(keys.secret))) throw notEnrolled();
    if (!(await this.verify(subject, code, sourceIp))) throw invalidCode(400);
    return { recoveryCodes: await this.replaceRecoveryCodes(keys) };
  }

  /**
   * Accepts a TOTP code at most once, and never one older than a code already accepted
   * (RFC 6238 §5.2): the secret's item keeps the last used time step, and moving it forward is a
   * conditional write on its previous value, so two requests racing with the same code (or two
   * codes) cannot both succeed. After a disable the item is gone and the write fails too.
   */
  private async acceptTotp(secret: Item, code: string): Promise<boolean> {
    const seed = await this.box.open(String(secret.secret), sealContext(secret.pk, secret.owner));
    const step = matchingStep(seed, code, this.deps.clock.now());
    if (step === undefined) return false;
    const lastUsedStep = typeof secret.lastUsedStep === 'number' ? secret.lastUsedStep : null;
    if (lastUsedStep !== null && step <= lastUsedStep) return false;
    return this.deps.table.put({ ...secret, lastUsedStep: step }, { ifMatches: { lastUsedStep } });
  }

  private async replaceRecoveryCodes(keys: MfaKeys): Promise<string[]> {
    await this.deleteRecoveryCodes(keys);
    const codes = newRecoveryCodes(RECOVERY_CODE_COUNT);
    const createdAt = this.deps.clock.now().toISOString();
    await this.deps.table.putAll(
      codes.map((code) => ({
        ...keys.recoveryCode(hashRecoveryCode(code)),
        type: 'mfa-recovery-code',
        owner: keys.owner,
        createdAt,
      })),
    );
    return codes;
  }

  private async deleteRecoveryCodes(keys: MfaKeys) {
    let cursor: string | undefined;
    do {
      const page = await this.deps.table.query(keys.secret.pk, {
        beginsWith: keys.recoveryPrefix,
        where: [{ attribute: 'owner', equals: keys.owner }],
        cursor,
      });
      for (const item of page.items) await this.deps.table.delete(item);
      cursor = page.nextCursor;
    } while (cursor);
  }
}
