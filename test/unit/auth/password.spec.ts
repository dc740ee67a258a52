import { scryptSync } from 'node:crypto';
import { hashPassword, isPasswordHash, verifyPassword } from '../../../src/auth/password';

describe('password hashing (scrypt)', () => {
  let hash: string;

  beforeAll(async () => {
    hash = await hashPassword('correct horse battery staple');
  });

  it("encodes scrypt$17$8$1$<16-byte salt>$<32-byte key> (OWASP's N = 2^17, r = 8, p = 1)", () => {
    const parts = hash.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '17', '8', '1']);
    expect(Buffer.from(parts[4], 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5], 'base64')).toHaveLength(32);
    expect(isPasswordHash(hash)).toBe(true);
  });

  it('verifies the password it hashed (round trip)', async () => {
    await expect(verifyPassword('correct horse battery staple', hash)).resolves.toBe(true);
  });

  it('refuses a wrong password, a near miss and the empty password', async () => {
    await expect(verifyPassword('correct horse battery stapl', hash)).resolves.toBe(false);
    await expect(verifyPassword('Correct horse battery staple', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  it('verifies hashes made with other parameters by the ones they store (the earlier N = 2^15 among them)', async () => {
    // Hashes as the earlier hashPassword (N = 2^15) and other parameters would have stored them.
    const salt = Buffer.alloc(16, 7);
    for (const [logN, r, p] of [[15, 8, 1], [14, 8, 2], [16, 4, 1]]) {
      const key = scryptSync('correct horse battery staple', salt, 32, { N: 2 ** logN, r, p, maxmem: 512 * 1024 * 1024 });
      const old = `scrypt$${logN}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
      await expect(verifyPassword('correct horse battery staple', old)).resolves.toBe(true);
      await expect(verifyPassword('correct horse battery stapler', old)).resolves.toBe(false);
    }
  });

  it('salts: the same password hashes differently each time, and both verify', async () => {
    const again = await hashPassword('correct horse battery staple');
    expect(again).not.toBe(hash);
    expect(again.split('$')[4]).not.toBe(hash.split('$')[4]);
    await expect(verifyPassword('correct horse battery staple', again)).resolves.toBe(true);
  });

  const [salt, key] = ['AAAAAAAAAAAAAAAAAAAAAA==', 'A'.repeat(43) + '='];
  it.each([
    ['empty', ''],
    ['another scheme', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA'],
    ['too few parts', `scrypt$15$8$1$${salt}`],
    ['too many parts', `scrypt$15$8$1$${salt}$${key}$x`],
    ['non-numeric cost', `scrypt$x$8$1$${salt}$${key}`],
    ['a leading zero', `scrypt$015$8$1$${salt}$${key}`],
    ['a cost beyond the maximum (no unbounded work)', `scrypt$30$8$1$${salt}$${key}`],
    ['r = 0', `scrypt$15$0$1$${salt}$${key}`],
    ['p beyond the maximum', `scrypt$15$8$99$${salt}$${key}`],
    ['a salt that is not base64', `scrypt$15$8$1$!!!!$${key}`],
    ['a short salt', `scrypt$15$8$1$AAAA$${key}`],
    ['a key of the wrong length', `scrypt$15$8$1$${salt}$AAAA`],
    ['a very long value', `scrypt$15$8$1$${salt}$${'A'.repeat(10_000)}`],
  ])('refuses a malformed hash (%s) with false, never a throw', async (_what, bad) => {
    expect(isPasswordHash(bad)).toBe(false);
    await expect(verifyPassword('anything', bad)).resolves.toBe(false);
  });

  it('refuses non-string input without throwing', async () => {
    await expect(verifyPassword(undefined as unknown as string, hash)).resolves.toBe(false);
    await expect(verifyPassword('x', null as unknown as string)).resolves.toBe(false);
    await expect(verifyPassword('x'.repeat(5000), hash)).resolves.toBe(false);
  });

  it('hashing refuses an empty or huge password (a programmer passing bad input)', async () => {
    await expect(hashPassword('')).rejects.toThrow(RangeError);
    await expect(hashPassword('x'.repeat(5000))).rejects.toThrow(RangeError);
  });
});
