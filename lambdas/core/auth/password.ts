import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * scrypt with N=2^15, r=8, p=1 (32 MiB, ~100 ms on a Lambda vCPU). The parameters travel with
 * each hash, so they can be raised later without breaking stored ones.
 */
const COST = 2 ** 15;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;
const MAX_MEMORY = 128 * 1024 * 1024;

export const MIN_PASSWORD_LENGTH = 12;

function deriveKey(password: string, salt: Buffer, n: number, r: number, p: number, length: number) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, length, { N: n, r, p, maxmem: MAX_MEMORY }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string, cost: number = COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await deriveKey(password, salt, cost, BLOCK_SIZE, PARALLELISM, KEY_LENGTH);
  return [
    'scrypt',
    cost,
    BLOCK_SIZE,
    PARALLELISM,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

/**
 * For passwords we generate (≈117 random bits): guessing one is infeasible at any hash cost, so
 * a cheaper scrypt lets an admin set thousands at once. A password a person chose always gets
 * the full cost, and a generated one must be changed at first sign-in anyway.
 */
const GENERATED_COST = 2 ** 11;
export const hashGeneratedPassword = (password: string) => hashPassword(password, GENERATED_COST);

/** A stored hash we would have written ourselves; anything else verifies nothing. */
function parseStoredHash(stored: string) {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  const cost = Number(n);
  const blockSize = Number(r);
  const parallelism = Number(p);
  const saltBytes = Buffer.from(salt ?? '', 'base64url');
  const expected = Buffer.from(hash ?? '', 'base64url');
  const valid =
    scheme === 'scrypt' &&
    Number.isInteger(Math.log2(cost)) &&
    cost >= 2 ** 10 &&
    cost <= 2 ** 20 &&
    Number.isInteger(blockSize) &&
    blockSize >= 1 &&
    blockSize <= 32 &&
    Number.isInteger(parallelism) &&
    parallelism >= 1 &&
    parallelism <= 16 &&
    saltBytes.length >= 16 &&
    expected.length === KEY_LENGTH;
  return valid ? { cost, blockSize, parallelism, saltBytes, expected } : undefined;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStoredHash(stored);
  if (!parsed) return false;
  const { cost, blockSize, parallelism, saltBytes, expected } = parsed;
  const key = await deriveKey(password, saltBytes, cost, blockSize, parallelism, KEY_LENGTH);
  return timingSafeEqual(key, expected);
}

/**
 * Verifying against this when an account does not exist makes a sign-in for an unknown
 * address take as long as one for a known address.
 */
let decoyHash: Promise<string> | undefined;
export const decoyPasswordHash = (): Promise<string> =>
  (decoyHash ??= hashPassword(randomBytes(18).toString('base64url')));
