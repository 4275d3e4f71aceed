import { errors, jwtVerify, SignJWT } from 'jose';
import type { SessionAudience } from './session-token';

/**
 * The proof that the first sign-in step (password or sign-in link) succeeded, carried to the
 * second (a TOTP or recovery code). It has its own audience, so it can never pass as a session.
 */
export const MFA_CHALLENGE_TTL_SECONDS = 5 * 60;
const ISSUER = 'xtramail';
const ALGORITHM = 'HS256';

export const challengeAudience = (audience: SessionAudience) => `xtramail:${audience}-mfa`;

export interface ChallengeClaims {
  subject: string;
  audience: SessionAudience;
  /** A password change, enrolment or disable in between makes the challenge useless. */
  tokenVersion: number;
  /** The first step was a sign-in link; the session it leads to says so. */
  byLink?: boolean;
}

export async function issueMfaChallenge(claims: ChallengeClaims, key: Uint8Array, now: Date) {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const challenge = await new SignJWT({ tv: claims.tokenVersion, ...(claims.byLink ? { lnk: true } : {}) })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(challengeAudience(claims.audience))
    .setSubject(claims.subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + MFA_CHALLENGE_TTL_SECONDS)
    .sign(key);
  return { challenge, expiresAt: new Date((issuedAt + MFA_CHALLENGE_TTL_SECONDS) * 1000) };
}

/** Undefined for anything that is not a live challenge of this audience. */
export async function verifyMfaChallenge(
  challenge: string,
  audience: SessionAudience,
  key: Uint8Array,
  now: Date,
): Promise<{ subject: string; tokenVersion: number; byLink: boolean } | undefined> {
  try {
    const { payload } = await jwtVerify(challenge, key, {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      audience: challengeAudience(audience),
      currentDate: now,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    if (typeof payload.tv !== 'number' || !payload.sub) return undefined;
    return { subject: payload.sub, tokenVersion: payload.tv, byLink: payload.lnk === true };
  } catch (error) {
    if (error instanceof errors.JOSEError) return undefined;
    throw error;
  }
}
