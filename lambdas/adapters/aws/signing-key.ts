import { readSecretString } from './secret-value';

/**
 * The session signing key: the Secrets Manager secret named by `JWT_SECRET_ARN` (the cloud),
 * or `JWT_SIGNING_KEY` (the local runtime keeps one under its data directory). Read once per
 * container.
 */
let cached: Promise<Uint8Array> | undefined;

async function loadKey(): Promise<Uint8Array> {
  const secretArn = process.env.JWT_SECRET_ARN;
  const material = secretArn ? await readSecretString(secretArn) : process.env.JWT_SIGNING_KEY;
  if (!material || material.length < 32) {
    throw new Error('No session signing key: set JWT_SECRET_ARN or JWT_SIGNING_KEY (at least 32 characters)');
  }
  return new TextEncoder().encode(material);
}

export const sessionSigningKey = (): Promise<Uint8Array> => {
  cached ??= loadKey().catch((error) => {
    cached = undefined;
    throw error;
  });
  return cached;
};
