import { readSecretString } from './secret-value';

/**
 * A key of at least 32 characters: the Secrets Manager secret named by the `secretArn` variable
 * (the cloud), or the `local` variable (the local runtime keeps one under its data directory).
 * Read once per container; a failed read is tried again on the next call.
 */
export function keyMaterial(purpose: string, variables: { secretArn: string; local: string }) {
  let cached: Promise<Uint8Array> | undefined;
  const load = async (): Promise<Uint8Array> => {
    const secretArn = process.env[variables.secretArn];
    const material = secretArn ? await readSecretString(secretArn) : process.env[variables.local];
    if (!material || material.length < 32) {
      throw new Error(
        `No ${purpose}: set ${variables.secretArn} or ${variables.local} (at least 32 characters)`,
      );
    }
    return new TextEncoder().encode(material);
  };
  return (): Promise<Uint8Array> =>
    (cached ??= load().catch((error) => {
      cached = undefined;
      throw error;
    }));
}
