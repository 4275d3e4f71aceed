import { jwtVerify, SignJWT, errors } from 'jose';

export type SessionAudience = 'console' | 'portal';

export interface SessionClaims {
  /** The admin email or the portal user's address. */
  subject: string;
  audience: SessionAudience;
  /** Must equal the account's current tokenVersion; a password change bumps it. */
  tokenVersion: number;
}

export interface VerifiedSession extends SessionClaims {
  expiresAt: Date;
}

const ISSUER = 'xtramail';
const ALGORITHM = 'HS256';
export const SESSION_TTL_SECONDS = 8 * 3600;

const audienceClaim = (audience: SessionAudience) => `xtramail:${audience}`;

export async function issueSessionToken(claims: SessionClaims, key: Uint8Array, now: Date) {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = new Date((issuedAt + SESSION_TTL_SECONDS) * 1000);
  const token = await new SignJWT({ tv: claims.tokenVersion })
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
    if (typeof payload.tv !== 'number' || !payload.sub || !payload.exp) return undefined;
    return {
      subject: payload.sub,
      audience,
      tokenVersion: payload.tv,
      expiresAt: new Date(payload.exp * 1000),
    };
  } catch (error) {
    if (error instanceof errors.JOSEError) return undefined;
    throw error;
  }
}
