import type { Table } from '../../adapters/table';
import { normalizeAddress } from '../addresses';
import type { Clock } from '../clock';
import { AppError, unauthorized } from '../errors';
import { LoginThrottle } from './login-throttle';
import { invalidCode, type MfaFactor } from './mfa';
import { issueMfaChallenge, verifyMfaChallenge } from './mfa-challenge';
import { decoyPasswordHash, verifyPassword } from './password';
import { issueSessionToken, verifySessionToken, type SessionAudience } from './session-token';

/** What sign-in needs to know of an account, whichever kind it is. */
export interface Account<A> {
  passwordHash?: string;
  tokenVersion: number;
  /** False when the account exists but may not sign in here (e.g. a mailing list). */
  canSignIn: boolean;
  profile: A;
  /** Records a completed sign-in (e.g. `lastSignInAt` for the readiness dashboard). */
  recordSignIn?(at: Date): Promise<void>;
  /** Whether the account has TOTP, and whether a policy says it must. */
  mfa?: { enrolled: boolean; required: boolean };
}

export interface SessionDeps {
  table: Table;
  clock: Clock;
  signingKey: () => Promise<Uint8Array>;
  /** Key material TOTP secrets are sealed with (its own secret: rotating the signing key must not lock MFA out). */
  mfaKey: () => Promise<Uint8Array>;
}

/** A session, issued. */
export interface SessionIssued<A> {
  mfaRequired?: false;
  token: string;
  expiresAt: Date;
  account: A;
  /** A policy requires MFA that the account lacks: the session only reaches enrolment. */
  mfaEnrolmentRequired?: true;
  /** Signed in with a link: until then the user may choose a new password without the old one. */
  passwordResetUntil?: Date;
}

/** The first step passed; a TOTP or recovery code must follow with this challenge. */
export interface MfaChallengeIssued {
  mfaRequired: true;
  challenge: string;
  expiresAt: Date;
  token?: undefined;
  account?: undefined;
}

export type SignedIn<A> = SessionIssued<A> | MfaChallengeIssued;

export interface SignInAttempt {
  email: string;
  password: string;
  sourceIp: string;
}

/**
 * A sign-in link proves the backup mailbox, as a reset mail would: for this long afterwards the
 * session may set a new password without the old one (forgotten, or an admin's temporary one).
 */
export const PASSWORD_RESET_WINDOW_SECONDS = 15 * 60;
// Whole seconds, as the token's `iat` counts them, so the sign-in answer and later checks agree.
const passwordResetUntil = (signedInAt: Date) =>
  new Date((Math.floor(signedInAt.getTime() / 1000) + PASSWORD_RESET_WINDOW_SECONDS) * 1000);

const mfaEnrolmentRequired = (account: Account<unknown>) =>
  Boolean(account.mfa?.required && !account.mfa.enrolled);

/**
 * Sign-in and session checks for one audience (console or portal). Every refusal for bad
 * credentials looks the same, so responses never reveal whether an account exists.
 */
export class Sessions<A> {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly deps: SessionDeps,
    readonly audience: SessionAudience,
    private readonly loadAccount: (subject: string) => Promise<Account<A> | undefined>,
    private readonly refusal: string,
    /** Two-step sign-in for this audience's accounts. */
    readonly mfa?: MfaFactor,
  ) {
    this.throttle = new LoginThrottle(deps.table, deps.clock, audience);
  }

  async signIn(attempt: SignInAttempt) {
    const subject = normalizeAddress(attempt.email);
    await this.throttle.assertAllowed(subject, attempt.sourceIp);
    const account = await this.loadAccount(subject);
    const usable = account?.canSignIn && account.passwordHash ? account : undefined;
    const matches = await verifyPassword(
      attempt.password,
      usable?.passwordHash ?? (await decoyPasswordHash()),
    );
    if (!usable || !matches) {
      await this.throttle.recordFailure(subject, attempt.sourceIp);
      throw new AppError(401, 'invalid_credentials', this.refusal);
    }
    await this.throttle.recordSuccess(subject);
    return this.establish(subject, usable);
  }

  /**
   * Sign-in for an account whose identity the caller has already proven another way (a
   * single-use sign-in link). Refuses accounts that may not sign in here.
   */
  async signInVerified(subject: string) {
    const account = await this.loadAccount(normalizeAddress(subject));
    if (!account?.canSignIn) throw new AppError(401, 'invalid_credentials', this.refusal);
    return this.establish(normalizeAddress(subject), account, true);
  }

  /**
   * Every sign-in path ends here, so later steps (MFA, sign-in records) apply to all of them. An
   * account with TOTP gets a challenge instead of a session; `completeMfa` finishes it.
   */
  private async establish(subject: string, account: Account<A>, byLink = false): Promise<SignedIn<A>> {
    if (this.mfa && account.mfa?.enrolled) {
      const { challenge, expiresAt } = await issueMfaChallenge(
        { subject, audience: this.audience, tokenVersion: account.tokenVersion, byLink },
        await this.deps.signingKey(),
        this.deps.clock.now(),
      );
      return { mfaRequired: true, challenge, expiresAt };
    }
    return this.issue(subject, account, byLink);
  }

  /**
   * The second step: a live challenge from the first, and a TOTP or recovery code. A challenge
   * stops working when the account's tokenVersion moves (password change, MFA turned off).
   */
  async completeMfa(
    challenge: string,
    code: string,
    sourceIp: string,
    /** Told whose code was checked and how it went (e.g. for the audit log). */
    observe?: (subject: string, outcome: 'success' | 'failure') => Promise<void>,
  ): Promise<SessionIssued<A>> {
    const expired = new AppError(401, 'mfa_challenge_expired', 'This sign-in has expired. Sign in again.');
    const claims = await verifyMfaChallenge(
      challenge,
      this.audience,
      await this.deps.signingKey(),
      this.deps.clock.now(),
    );
    if (!claims || !this.mfa) throw expired;
    const account = await this.loadAccount(claims.subject);
    if (!account?.canSignIn || !account.mfa?.enrolled || account.tokenVersion !== claims.tokenVersion)
      throw expired;
    if (!(await this.mfa.verify(claims.subject, code, sourceIp))) {
      await observe?.(claims.subject, 'failure');
      throw invalidCode(400);
    }
    await observe?.(claims.subject, 'success');
    return this.issue(claims.subject, account, claims.byLink);
  }

  private async issue(subject: string, account: Account<A>, byLink: boolean): Promise<SessionIssued<A>> {
    const now = this.deps.clock.now();
    await account.recordSignIn?.(now);
    const { token, expiresAt } = await issueSessionToken(
      { subject, audience: this.audience, tokenVersion: account.tokenVersion, byLink },
      await this.deps.signingKey(),
      now,
    );
    return {
      token,
      expiresAt,
      account: account.profile,
      ...(mfaEnrolmentRequired(account) ? { mfaEnrolmentRequired: true as const } : {}),
      ...(byLink ? { passwordResetUntil: passwordResetUntil(now) } : {}),
    };
  }

  /** The key sessions of this audience are signed with (to renew one after a change). */
  signingKey(): Promise<Uint8Array> {
    return this.deps.signingKey();
  }

  /** The signed-in account for a token, or 401 if the token or the account no longer holds. */
  async authenticate(token: string | undefined) {
    if (!token) throw unauthorized();
    const session = await verifySessionToken(
      token,
      this.audience,
      await this.deps.signingKey(),
      this.deps.clock.now(),
    );
    const account = session && (await this.loadAccount(session.subject));
    if (!session || !account?.canSignIn || account.tokenVersion !== session.tokenVersion) {
      throw unauthorized('Your session has ended. Sign in again.');
    }
    const resetUntil = session.byLink ? passwordResetUntil(session.issuedAt) : undefined;
    return {
      account: account.profile,
      expiresAt: session.expiresAt,
      ...(mfaEnrolmentRequired(account) ? { mfaEnrolmentRequired: true } : {}),
      ...(resetUntil && resetUntil > this.deps.clock.now() ? { passwordResetUntil: resetUntil } : {}),
    };
  }
}
