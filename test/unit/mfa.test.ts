import { aesGcmSecretBox } from '../../lambdas/core/auth/secret-box';
import { randomBytes } from 'node:crypto';
import { TOTP } from 'otpauth';
import { adminSessions } from '../../lambdas/core/auth/admin-sessions';
import { adminMfa } from '../../lambdas/core/auth/mfa-accounts';
import { issueMfaChallenge, verifyMfaChallenge } from '../../lambdas/core/auth/mfa-challenge';
import {
  hashRecoveryCode,
  looksLikeRecoveryCode,
  newRecoveryCodes,
} from '../../lambdas/core/auth/mfa-recovery-codes';
import { matchingStep, timeStep, totpCode } from '../../lambdas/core/auth/mfa-totp';
import { hashPassword } from '../../lambdas/core/auth/password';
import { verifySessionToken } from '../../lambdas/core/auth/session-token';
import type { SessionDeps } from '../../lambdas/core/auth/sessions';
import { adminFromItem, adminKey, adminToItem } from '../../lambdas/core/entities/admin';
import { deploymentSecurityToItem } from '../../lambdas/core/entities/security-settings';
import { ManualClock } from './support/manual-clock';
import { MemoryTable } from './support/memory-table';

const ADMIN = 'partner@example.com';
const PASSWORD = 'correct horse battery staple';
const IP = '203.0.113.7';

const MFA_KEY = new TextEncoder().encode('an mfa sealing key of at least 32 characters');
let passwordHash: string;
beforeAll(async () => {
  passwordHash = await hashPassword(PASSWORD);
});

let table: MemoryTable;
let clock: ManualClock;
let deps: SessionDeps;
beforeEach(async () => {
  table = new MemoryTable();
  clock = new ManualClock('2025-01-06T12:00:10.000Z');
  const key = new Uint8Array(randomBytes(32));
  deps = { table, clock, signingKey: async () => key, mfaKey: async () => MFA_KEY };
  await table.put(
    adminToItem({
      email: ADMIN,
      role: 'partner',
      domains: [],
      passwordHash,
      tokenVersion: 0,
      createdAt: clock.now().toISOString(),
    }),
  );
});

/** Enrols the admin and returns the secret and the recovery codes. */
async function enrol() {
  const mfa = adminMfa(deps);
  const begun = await mfa.beginEnrolment(ADMIN);
  const confirmed = await mfa.confirmEnrolment(ADMIN, totpCode(begun.secret, clock.now()), IP);
  return { mfa, secret: begun.secret, ...confirmed };
}

describe('TOTP', () => {
  test('codes match their own step and the steps either side, and nothing further', () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const now = new Date('2025-01-06T12:00:10.000Z');
    const step = timeStep(now);
    const at = (offset: number) => new Date(now.getTime() + offset * 30_000);
    expect(matchingStep(secret, totpCode(secret, now), now)).toBe(step);
    expect(matchingStep(secret, totpCode(secret, at(-1)), now)).toBe(step - 1);
    expect(matchingStep(secret, totpCode(secret, at(1)), now)).toBe(step + 1);
    expect(matchingStep(secret, totpCode(secret, at(-2)), now)).toBeUndefined();
    expect(matchingStep(secret, totpCode(secret, at(2)), now)).toBeUndefined();
    expect(matchingStep(secret, 'abcdef', now)).toBeUndefined();
  });

  test('the enrolment URI and QR code carry the secret for an authenticator app', async () => {
    const begun = await adminMfa(deps).beginEnrolment(ADMIN);
    expect(begun.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(begun.otpauthUri).toMatch(/^otpauth:\/\/totp\/XtraMail%20Console:partner%40example\.com\?/);
    expect(begun.otpauthUri).toContain(`secret=${begun.secret}`);
    expect(begun.qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(begun.qrCode.split(',')[1], 'base64').toString()).toContain('<svg');
    // A code from another implementation of RFC 6238 (the library's own) agrees with ours.
    const app = new TOTP({ secret: begun.secret });
    expect(totpCode(begun.secret, clock.now())).toBe(app.generate({ timestamp: clock.now().getTime() }));
  });
});

describe('recovery codes', () => {
  test('ten distinct codes, stored only as digests, tolerant of case and dashes when typed', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect(looksLikeRecoveryCode(codes[0].toUpperCase().replace('-', ' '))).toBe(true);
    expect(hashRecoveryCode(codes[0].toUpperCase().replace('-', ''))).toBe(hashRecoveryCode(codes[0]));
  });
});

describe('MfaFactor', () => {
  test('enrolment confirms with a code, records mfaEnrolledAt, bumps tokenVersion and keeps secrets off the admin item', async () => {
    const { recoveryCodes, tokenVersion, enrolledAt } = await enrol();
    expect(recoveryCodes).toHaveLength(10);
    expect(tokenVersion).toBe(1);
    const admin = adminFromItem((await table.get(adminKey(ADMIN)))!);
    expect(admin).toMatchObject({ mfaEnrolledAt: enrolledAt, tokenVersion: 1 });
    const adminItem = JSON.stringify(await table.get(adminKey(ADMIN)));
    for (const code of recoveryCodes) {
      expect(JSON.stringify(table.all())).not.toContain(code);
      expect(adminItem).not.toContain(hashRecoveryCode(code));
    }
    await expect(adminMfa(deps).status(ADMIN)).resolves.toEqual({
      enrolled: true,
      enrolledAt,
      recoveryCodesLeft: 10,
    });
  });

  test('the TOTP secret is stored sealed, pending and enrolled, and still verifies codes', async () => {
    const mfa = adminMfa(deps);
    const begun = await mfa.beginEnrolment(ADMIN);
    expect(JSON.stringify(table.all())).not.toContain(begun.secret);
    await mfa.confirmEnrolment(ADMIN, totpCode(begun.secret, clock.now()), IP);
    expect(JSON.stringify(table.all())).not.toContain(begun.secret);
    const stored = table.all().find((item) => item.type === 'mfa-secret')!;
    expect(String(stored.secret)).toMatch(/^v1\./);
    clock.advanceSeconds(30);
    await expect(mfa.verify(ADMIN, totpCode(begun.secret, clock.now()), IP)).resolves.toBe('totp');
  });

  test('a sealed secret opens only with its key and on its own account; legacy plain seeds still open', async () => {
    const box = aesGcmSecretBox(async () => MFA_KEY);
    const sealed = await box.seal('JBSWY3DPEHPK3PXP', 'ADMIN#a@example.com#ADMIN');
    await expect(box.open(sealed, 'ADMIN#a@example.com#ADMIN')).resolves.toBe('JBSWY3DPEHPK3PXP');
    await expect(box.open(sealed, 'ADMIN#b@example.com#ADMIN')).rejects.toThrow();
    const otherKey = aesGcmSecretBox(async () =>
      new TextEncoder().encode('another key of at least thirty-two characters'),
    );
    await expect(otherKey.open(sealed, 'ADMIN#a@example.com#ADMIN')).rejects.toThrow();
    expect(sealed).not.toBe(await box.seal('JBSWY3DPEHPK3PXP', 'ADMIN#a@example.com#ADMIN'));
    await expect(box.open('JBSWY3DPEHPK3PXP', 'anything')).resolves.toBe('JBSWY3DPEHPK3PXP');
    await expect(aesGcmSecretBox(async () => new Uint8Array(8)).seal('x', 'c')).rejects.toThrow(/32 bytes/);
  });

  test('enrolment keeps what else the account item holds, and stores the confirming step as used', async () => {
    const item = await table.get(adminKey(ADMIN));
    await table.put({ ...item!, signInCount: 7, somethingNew: 'kept' });
    const { mfa, secret } = await enrol();
    expect(await table.get(adminKey(ADMIN))).toMatchObject({ signInCount: 7, somethingNew: 'kept' });
    // The code that confirmed enrolment cannot also sign in.
    await expect(mfa.verify(ADMIN, totpCode(secret, clock.now()), IP)).resolves.toBeUndefined();
  });

  test('a wrong code does not confirm enrolment', async () => {
    const mfa = adminMfa(deps);
    const begun = await mfa.beginEnrolment(ADMIN);
    const wrong = totpCode(begun.secret, new Date(clock.now().getTime() + 5 * 60_000));
    await expect(mfa.confirmEnrolment(ADMIN, wrong, IP)).rejects.toMatchObject({ code: 'invalid_code' });
    await expect(mfa.status(ADMIN)).resolves.toMatchObject({ enrolled: false });
  });

  test('an enrolment left unconfirmed lapses after 15 minutes', async () => {
    const mfa = adminMfa(deps);
    const begun = await mfa.beginEnrolment(ADMIN);
    clock.advanceSeconds(15 * 60 + 1);
    await expect(mfa.confirmEnrolment(ADMIN, totpCode(begun.secret, clock.now()), IP)).rejects.toMatchObject({
      status: 409,
      code: 'no_enrolment_pending',
    });
  });

  test('a code is accepted once; an older code after a newer one is refused; the next step works', async () => {
    const { mfa, secret } = await enrol();
    clock.advanceSeconds(30);
    const code = totpCode(secret, clock.now());
    await expect(mfa.verify(ADMIN, code, IP)).resolves.toBe('totp');
    await expect(mfa.verify(ADMIN, code, IP)).resolves.toBeUndefined();
    const previous = totpCode(secret, new Date(clock.now().getTime() - 30_000));
    await expect(mfa.verify(ADMIN, previous, IP)).resolves.toBeUndefined();
    clock.advanceSeconds(30);
    await expect(mfa.verify(ADMIN, totpCode(secret, clock.now()), IP)).resolves.toBe('totp');
  });

  test('two requests racing with one code: exactly one wins', async () => {
    const { mfa, secret } = await enrol();
    clock.advanceSeconds(30);
    const code = totpCode(secret, clock.now());
    const results = await Promise.all([mfa.verify(ADMIN, code, IP), mfa.verify(ADMIN, code, IP)]);
    expect(results.filter((r) => r === 'totp')).toHaveLength(1);
  });

  test('a recovery code works once, whatever its case and dashes', async () => {
    const { mfa, recoveryCodes } = await enrol();
    await expect(mfa.verify(ADMIN, recoveryCodes[3].toUpperCase(), IP)).resolves.toBe('recovery');
    await expect(mfa.verify(ADMIN, recoveryCodes[3], IP)).resolves.toBeUndefined();
    await expect(mfa.status(ADMIN)).resolves.toMatchObject({ recoveryCodesLeft: 9 });
  });

  test('new recovery codes replace the old ones', async () => {
    const { mfa, secret, recoveryCodes } = await enrol();
    clock.advanceSeconds(30);
    const { recoveryCodes: fresh } = await mfa.regenerateRecoveryCodes(
      ADMIN,
      totpCode(secret, clock.now()),
      IP,
    );
    expect(fresh).toHaveLength(10);
    await expect(mfa.verify(ADMIN, recoveryCodes[0], IP)).resolves.toBeUndefined();
    await expect(mfa.verify(ADMIN, fresh[0], IP)).resolves.toBe('recovery');
  });

  test('five wrong codes lock code attempts for 15 minutes, even with the right code', async () => {
    const { mfa, secret } = await enrol();
    for (let i = 0; i < 5; i++) await expect(mfa.verify(ADMIN, '000000', IP)).resolves.toBeUndefined();
    clock.advanceSeconds(30);
    await expect(mfa.verify(ADMIN, totpCode(secret, clock.now()), IP)).rejects.toMatchObject({
      status: 429,
      code: 'too_many_attempts',
    });
    clock.advanceSeconds(15 * 60);
    await expect(mfa.verify(ADMIN, totpCode(secret, clock.now()), IP)).resolves.toBe('totp');
  });

  test('disable needs a current code, clears everything and bumps tokenVersion', async () => {
    const { mfa, secret } = await enrol();
    clock.advanceSeconds(30);
    await expect(mfa.disable(ADMIN, '000000', IP)).rejects.toMatchObject({ code: 'invalid_code' });
    await expect(mfa.disable(ADMIN, totpCode(secret, clock.now()), IP)).resolves.toEqual({ tokenVersion: 2 });
    await expect(mfa.status(ADMIN)).resolves.toEqual({ enrolled: false, recoveryCodesLeft: 0 });
    expect(adminFromItem((await table.get(adminKey(ADMIN)))!).mfaEnrolledAt).toBeUndefined();
    expect(table.all().filter((item) => item.sk.startsWith('MFA#'))).toEqual([]);
    // Setting it up again at once works.
    await expect(enrol()).resolves.toMatchObject({ tokenVersion: 3 });
  });
});

describe('sign-in with MFA', () => {
  test('the password step gives a challenge, not a session; the code step gives the session', async () => {
    const { secret } = await enrol();
    const sessions = adminSessions(deps);
    const first = await sessions.signIn({ email: ADMIN, password: PASSWORD, sourceIp: IP });
    expect(first).toMatchObject({ mfaRequired: true, challenge: expect.any(String) });
    expect(first.token).toBeUndefined();
    // The challenge is not a session.
    await expect(sessions.authenticate(first.mfaRequired ? first.challenge : '')).rejects.toMatchObject({
      status: 401,
    });
    const challenge = first.mfaRequired ? first.challenge : '';
    clock.advanceSeconds(30);
    await expect(sessions.completeMfa(challenge, '000000', IP)).rejects.toMatchObject({
      code: 'invalid_code',
    });
    const second = await sessions.completeMfa(challenge, totpCode(secret, clock.now()), IP);
    const authenticated = await sessions.authenticate(second.token);
    expect(authenticated).toMatchObject({ account: { email: ADMIN } });
    expect(authenticated.mfaEnrolmentRequired).toBeUndefined();
    const session = await verifySessionToken(second.token, 'console', await deps.signingKey(), clock.now());
    expect(session?.tokenVersion).toBe(1);
  });

  test('a challenge expires after 5 minutes and dies with a tokenVersion change', async () => {
    const { secret } = await enrol();
    const key = await deps.signingKey();
    const { challenge } = await issueMfaChallenge(
      { subject: ADMIN, audience: 'console', tokenVersion: 1 },
      key,
      clock.now(),
    );
    await expect(verifyMfaChallenge(challenge, 'portal', key, clock.now())).resolves.toBeUndefined();
    const sessions = adminSessions(deps);
    clock.advanceSeconds(5 * 60 + 1);
    await expect(sessions.completeMfa(challenge, totpCode(secret, clock.now()), IP)).rejects.toMatchObject({
      status: 401,
      code: 'mfa_challenge_expired',
    });
    const fresh = await issueMfaChallenge(
      { subject: ADMIN, audience: 'console', tokenVersion: 0 },
      key,
      clock.now(),
    );
    await expect(
      sessions.completeMfa(fresh.challenge, totpCode(secret, clock.now()), IP),
    ).rejects.toMatchObject({ code: 'mfa_challenge_expired' });
  });

  test('a policy requiring MFA flags the session of an admin without it', async () => {
    await table.put(deploymentSecurityToItem({ requireAdminMfa: true }));
    const sessions = adminSessions(deps);
    const signedIn = await sessions.signIn({ email: ADMIN, password: PASSWORD, sourceIp: IP });
    await expect(sessions.authenticate(signedIn.token)).resolves.toMatchObject({
      mfaEnrolmentRequired: true,
    });
  });
});
