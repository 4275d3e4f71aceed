import { randomInt } from 'node:crypto';

/** No look-alikes (0/O, 1/l/I), so a password read off a screen or a CSV is typed right. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
export const GENERATED_PASSWORD_LENGTH = 20; // ≈ 117 bits from the CSPRNG

export function generatePassword(): string {
  let password = '';
  for (let i = 0; i < GENERATED_PASSWORD_LENGTH; i++) password += ALPHABET[randomInt(ALPHABET.length)];
  // Groups of five read better aloud and in a table.
  return password.match(/.{5}/g)!.join('-');
}
