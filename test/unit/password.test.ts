import { decoyPasswordHash, hashPassword, verifyPassword } from '../../lambdas/core/auth/password';

const PASSWORD = 'correct horse battery staple';

describe('password hashing (scrypt)', () => {
  let stored: string;
  beforeAll(async () => {
    stored = await hashPassword(PASSWORD);
  });

  test('the hash is scrypt$N$r$p$salt$hash with the parameters it was made with', () => {
    const parts = stored.split('$');
    expect(parts).toHaveLength(6);
    const [scheme, n, r, p, salt, hash] = parts;
    expect(scheme).toBe('scrypt');
    expect([Number(n), Number(r), Number(p)]).toEqual([2 ** 15, 8, 1]);
    expect(salt).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(hash).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(salt, 'base64url')).toHaveLength(16);
    expect(Buffer.from(hash, 'base64url')).toHaveLength(32);
    expect(stored).not.toContain(PASSWORD);
  });

  test('verifies the right password and refuses a wrong one', async () => {
    await expect(verifyPassword(PASSWORD, stored)).resolves.toBe(true);
    await expect(verifyPassword(`${PASSWORD}!`, stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
  });

  test('hashing the same password twice uses different salts (and so different hashes)', async () => {
    const again = await hashPassword(PASSWORD);
    expect(again.split('$')[4]).not.toBe(stored.split('$')[4]);
    expect(again.split('$')[5]).not.toBe(stored.split('$')[5]);
    await expect(verifyPassword(PASSWORD, again)).resolves.toBe(true);
  });

  test('a tampered hash or salt no longer verifies', async () => {
    const parts = stored.split('$');
    const flip = (text: string) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[0] ^= 0x01;
      return bytes.toString('base64url');
    };
    const tamperedHash = [...parts.slice(0, 5), flip(parts[5])].join('$');
    const tamperedSalt = [...parts.slice(0, 4), flip(parts[4]), parts[5]].join('$');
    const otherCost = ['scrypt', String(2 ** 14), ...parts.slice(2)].join('$');
    await expect(verifyPassword(PASSWORD, tamperedHash)).resolves.toBe(false);
    await expect(verifyPassword(PASSWORD, tamperedSalt)).resolves.toBe(false);
    await expect(verifyPassword(PASSWORD, otherCost)).resolves.toBe(false);
  });

  test('a stored value that is not an scrypt hash is refused', async () => {
    const [, ...rest] = stored.split('$');
    await expect(verifyPassword(PASSWORD, ['bcrypt', ...rest].join('$'))).resolves.toBe(false);
    await expect(verifyPassword(PASSWORD, PASSWORD)).resolves.toBe(false);
    await expect(verifyPassword(PASSWORD, '')).resolves.toBe(false);
    await expect(verifyPassword(PASSWORD, 'scrypt$32768$8$1$$')).resolves.toBe(false);
  });

  test('a stored hash with a short or empty key, or absurd parameters, verifies nothing', async () => {
    const [, n, r, p, salt] = stored.split('$');
    const withHash = (hash: string) => ['scrypt', n, r, p, salt, hash].join('$');
    await expect(verifyPassword('anything', withHash('!!!!'))).resolves.toBe(false);
    await expect(verifyPassword('anything', withHash('AA'))).resolves.toBe(false);
    const [, , , , , hash] = stored.split('$');
    for (const params of [
      ['abc', r, p],
      ['3', r, p],
      [String(2 ** 30), r, p],
      [n, '0', p],
      [n, r, '-1'],
    ]) {
      await expect(verifyPassword(PASSWORD, ['scrypt', ...params, salt, hash].join('$'))).resolves.toBe(
        false,
      );
    }
  });

  test('passwords are compared after NFKC normalization', async () => {
    // U+00C5 (Å precomposed) vs A + U+030A (combining ring), and the "ﬁ" ligature vs "fi".
    const hash = await hashPassword('\u00c5ngstr\u00f6m-\ufb01le-9');
    await expect(verifyPassword('A\u030angstro\u0308m-file-9', hash)).resolves.toBe(true);
    await expect(verifyPassword('Angstrom-file-9', hash)).resolves.toBe(false);
  });

  test('the decoy hash is made once and matches no guessable password', async () => {
    const decoy = await decoyPasswordHash();
    expect(await decoyPasswordHash()).toBe(decoy);
    expect(decoy.startsWith('scrypt$32768$8$1$')).toBe(true);
    await expect(verifyPassword('', decoy)).resolves.toBe(false);
  });
});
