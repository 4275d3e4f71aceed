import { randomBytes } from 'node:crypto';
import { SignJWT, UnsecuredJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import {
  issueSessionToken,
  SESSION_TTL_SECONDS,
  verifySessionToken,
} from '../../lambdas/core/auth/session-token';

const KEY = new Uint8Array(randomBytes(64));
const NOW = new Date('2025-01-06T12:00:00.000Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const claims = { subject: 'admin@example.com', audience: 'console' as const, tokenVersion: 3 };

/** A token shaped like ours, signed however the test likes. */
const forged = (overrides: { issuer?: string; audience?: string; tv?: unknown } = {}) =>
  new SignJWT({ tv: 'tv' in overrides ? overrides.tv : 3 })
    .setIssuer(overrides.issuer ?? 'xtramail')
    .setAudience(overrides.audience ?? 'xtramail:console')
    .setSubject('admin@example.com')
    .setIssuedAt(NOW_SECONDS)
    .setExpirationTime(NOW_SECONDS + 3600);

describe('session tokens', () => {
  test('issue and verify round trip', async () => {
    const { token, expiresAt } = await issueSessionToken(claims, KEY, NOW);
    expect(expiresAt).toEqual(later(SESSION_TTL_SECONDS));
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    expect(decodeJwt(token)).toMatchObject({
      iss: 'xtramail',
      aud: 'xtramail:console',
      sub: claims.subject,
      tv: 3,
    });

    const verified = await verifySessionToken(token, 'console', KEY, later(60));
    expect(verified).toEqual({ ...claims, byLink: false, issuedAt: NOW, expiresAt });
  });

  test('a session opened by a sign-in link says so; a password one does not', async () => {
    const byLink = await issueSessionToken({ ...claims, byLink: true }, KEY, NOW);
    expect(decodeJwt(byLink.token)).toMatchObject({ lnk: true });
    await expect(verifySessionToken(byLink.token, 'console', KEY, later(60))).resolves.toMatchObject({
      byLink: true,
    });
    expect(decodeJwt((await issueSessionToken(claims, KEY, NOW)).token)).not.toHaveProperty('lnk');
  });

  test('a console token is refused by the portal and the other way round', async () => {
    const consoleSession = await issueSessionToken(claims, KEY, NOW);
    const portal = await issueSessionToken({ ...claims, audience: 'portal' }, KEY, NOW);
    await expect(verifySessionToken(consoleSession.token, 'portal', KEY, NOW)).resolves.toBeUndefined();
    await expect(verifySessionToken(portal.token, 'console', KEY, NOW)).resolves.toBeUndefined();
    await expect(verifySessionToken(portal.token, 'portal', KEY, NOW)).resolves.toMatchObject({
      audience: 'portal',
    });
  });

  test('an expired token is refused', async () => {
    const { token } = await issueSessionToken(claims, KEY, NOW);
    await expect(
      verifySessionToken(token, 'console', KEY, later(SESSION_TTL_SECONDS - 1)),
    ).resolves.toBeDefined();
    await expect(
      verifySessionToken(token, 'console', KEY, later(SESSION_TTL_SECONDS + 1)),
    ).resolves.toBeUndefined();
    await expect(verifySessionToken(token, 'console', KEY, later(30 * 86400))).resolves.toBeUndefined();
  });

  test('a token signed with another key is refused', async () => {
    const { token } = await issueSessionToken(claims, new Uint8Array(randomBytes(64)), NOW);
    await expect(verifySessionToken(token, 'console', KEY, NOW)).resolves.toBeUndefined();
  });

  test('the algorithm is pinned: alg "none" and HS512 (even with the right key) are refused', async () => {
    const unsecured = new UnsecuredJWT({ tv: 3 })
      .setIssuer('xtramail')
      .setAudience('xtramail:console')
      .setSubject('admin@example.com')
      .setIssuedAt(NOW_SECONDS)
      .setExpirationTime(NOW_SECONDS + 3600)
      .encode();
    const hs512 = await forged().setProtectedHeader({ alg: 'HS512' }).sign(KEY);
    const hs256 = await forged().setProtectedHeader({ alg: 'HS256' }).sign(KEY);

    expect(decodeProtectedHeader(unsecured).alg).toBe('none');
    await expect(verifySessionToken(unsecured, 'console', KEY, NOW)).resolves.toBeUndefined();
    await expect(verifySessionToken(hs512, 'console', KEY, NOW)).resolves.toBeUndefined();
    // The same claims under the pinned algorithm do verify, so the refusals above are about alg.
    await expect(verifySessionToken(hs256, 'console', KEY, NOW)).resolves.toMatchObject({ tokenVersion: 3 });
  });

  test('a tampered payload is refused', async () => {
    const { token } = await issueSessionToken(claims, KEY, NOW);
    const [header, payload, signature] = token.split('.');
    const changed = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'other@example.com' };
    const tampered = [header, Buffer.from(JSON.stringify(changed)).toString('base64url'), signature].join(
      '.',
    );
    await expect(verifySessionToken(tampered, 'console', KEY, NOW)).resolves.toBeUndefined();
  });

  test('the issuer is checked', async () => {
    const foreign = await forged({ issuer: 'someone-else' }).setProtectedHeader({ alg: 'HS256' }).sign(KEY);
    await expect(verifySessionToken(foreign, 'console', KEY, NOW)).resolves.toBeUndefined();
  });

  test('a token without a numeric token version is refused', async () => {
    const noVersion = await forged({ tv: undefined }).setProtectedHeader({ alg: 'HS256' }).sign(KEY);
    const textVersion = await forged({ tv: '3' }).setProtectedHeader({ alg: 'HS256' }).sign(KEY);
    await expect(verifySessionToken(noVersion, 'console', KEY, NOW)).resolves.toBeUndefined();
    await expect(verifySessionToken(textVersion, 'console', KEY, NOW)).resolves.toBeUndefined();
  });

  test.each(['', 'garbage', 'a.b.c', 'eyJhbGciOiJIUzI1NiJ9..'])(
    'a malformed token %j is refused, not thrown',
    async (token) => {
      await expect(verifySessionToken(token, 'console', KEY, NOW)).resolves.toBeUndefined();
    },
  );
});
