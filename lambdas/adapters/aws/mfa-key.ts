import { readSecretString } from './secret-value';

/**
 * The key material MFA secrets are sealed with: the Secrets Manager secret named by
 * `MFA_KEY_SECRET_ARN` (the cloud), or `MFA_KEY` (the local runtime keeps one under its data
 * directory). Read once per container.
 */
let cached: Promise<Uint8Array> | undefined;

async function loadKey(): Promise<Uint8Array> {
  const secretArn = process.env.MFA_KEY_SECRET_ARN;
  const material = secretArn ? await readSecretString(secretArn) : process.env.MFA_KEY;
  if (!material || material.length < 32) {
    throw new Error('No MFA sealing key: set MFA_KEY_SECRET_ARN or MFA_KEY (at least 32 characters)');
  }
  return new TextEncoder().encode(material);
}

export const mfaSealingKey = (): Promise<Uint8Array> => {
  cached ??= loadKey().catch((error) => {
    cached = undefined;
    throw error;
  });
  return cached;
};
