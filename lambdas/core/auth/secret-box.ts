import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Seals small secrets (TOTP seeds) with AES-256-GCM before they are stored, so a copy of the
 * table (a backup, an export, a stray read grant) holds no working second factor. The key
 * comes from its own Secrets Manager secret, never from the session signing key: rotating that
 * must not lock anyone out of two-step sign-in.
 *
 * `context` is bound in as associated data (the owning account's key), so a sealed value moved
 * to another account's item does not open.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): Promise<string>;
  open(stored: string, context: string): Promise<string>;
}

const VERSION = 'v1';
const IV_BYTES = 12;

export function aesGcmSecretBox(keyMaterial: () => Promise<Uint8Array>): SecretBox {
  let key: Promise<Buffer> | undefined;
  const derived = () =>
    (key ??= keyMaterial().then((material) => {
      if (material.length < 32) throw new Error('The MFA sealing key must be at least 32 bytes');
      return Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), 'xtramail mfa secret v1', 32));
    }));

  return {
    async seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', await derived(), iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv, sealed, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    async open(stored, context) {
      const parts = stored.split('.');
      // Written before sealing existed: still a plain base32 seed.
      if (parts[0] !== VERSION || parts.length !== 4) return stored;
      const [, iv, sealed, tag] = parts.map((part) => Buffer.from(part, 'base64url'));
      const decipher = createDecipheriv('aes-256-gcm', await derived(), iv);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
    },
  };
}
