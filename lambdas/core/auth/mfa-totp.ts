import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

/** RFC 6238 defaults, the only ones every authenticator app supports. */
export const TOTP_PERIOD_SECONDS = 30;
const DIGITS = 6;
const ALGORITHM = 'SHA1';
/** Accept the previous and the next code too, for clocks a little off and slow typists. */
export const TOTP_WINDOW = 1;

const totp = (secret: string, label = '', issuer = '') =>
  new TOTP({
    issuer,
    label,
    secret: Secret.fromBase32(secret),
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });

/** A fresh 160-bit secret (RFC 4226's recommended length), in base32. */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

/** The time step a moment falls in. */
export const timeStep = (at: Date): number => Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);

/** Six digits, ignoring spaces a person may type between groups. */
export const looksLikeTotpCode = (code: string): boolean => /^\d{6}$/.test(code.replace(/\s/g, ''));

/**
 * The time step whose code this is (within ±1 step of `at`), or undefined. The caller must still
 * refuse a step already used.
 */
export function matchingStep(secret: string, code: string, at: Date): number | undefined {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const delta = totp(secret).validate({ token, timestamp: at.getTime(), window: TOTP_WINDOW });
  return delta === null ? undefined : timeStep(at) + delta;
}

/** The code for a moment (tests and the local demo use it; so do authenticator apps). */
export const totpCode = (secret: string, at: Date): string =>
  totp(secret).generate({ timestamp: at.getTime() });

/** The `otpauth://totp/…` URI that authenticator apps read from the QR code. */
export const otpauthUri = (secret: string, issuer: string, label: string): string =>
  totp(secret, label, issuer).toString();

/** The URI as a QR code, an SVG data URL the page can show (its CSP allows `img-src data:`). */
export async function qrCodeDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
