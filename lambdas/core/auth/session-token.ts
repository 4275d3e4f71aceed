import { jwtVerify, SignJWT, errors } from 'jose';

export type SessionAudience = 'console' | 'portal';

export interface SessionClaims {
  /** The admin email or the portal user's address. */
  subject: string;
  audience: SessionAudience;
  /** Must equal the account's current tokenVersion; a password change bumps it. */
  tokenVersion: number;
  /** Signed in with a single-use link (proof of the backup mailbox), not a password. */
  byLink?: boolean;
}

export interface VerifiedSession extends SessionClaims {
  issuedAt: Date;
  expiresAt: Date;
}

const ISSUER = 'xtramail';
const ALGORITHM = 'HS256';
export const SESSION_TTL_SECONDS = 8 * 3600;

const audienceClaim = (audience: SessionAudience) => `xtramail:${audience}`;

export async function issueSessionToken(claims: SessionClaims, key: Uint8Array, now: Date) {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = new Date((issuedAt + SESSION_TTL_SECONDS) * 1000);
  const token = await new SignJWT({ tv: claims.tokenVersion, ...(claims.byLink ? { lnk: true } : {}) })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(audienceClaim(claims.audience))
    .setSubject(claims.subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + SESSION_TTL_SECONDS)
    .sign(key);
  return { token, expiresAt };
}

/** Returns undefined for any token that is not ours, not for this audience, or expired. */
export async function verifySessionToken(
  token: string,
  audience: SessionAudience,
  key: Uint8Array,
  now: Date,
): Promise<VerifiedSession | undefined> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      audience: audienceClaim(audience),
      currentDate: now,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    if (typeof payload.tv !== 'number' || !payload.sub || !payload.exp || !payload.iat) return undefined;
    return {
      subject: payload.sub,
      audience,
      tokenVersion: payload.tv,
      byLink: payload.lnk === true,
      issuedAt: new Date(payload.iat * 1000),
      expiresAt: new Date(payload.exp * 1000),
    };
  } catch (error) {
    if (error instanceof errors.JOSEError) return undefined;
    throw error;
  }
}
