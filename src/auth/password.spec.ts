import { argon2Sync, scryptSync } from 'node:crypto';
import { ARGON2_PROFILE, decoyHash, hashPassword, needsRehash, verifyPassword } from './password';

const MEMORY = 1024;

describe('password hashes', () => {
  it('stores argon2id in the PHC format with OWASP’s profile', async () => {
    const stored = await hashPassword('correct-horse-battery', ARGON2_PROFILE.memoryKiB);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword('correct-horse-battery', stored)).toBe(true);
  });

  it('verifies the right password only', async () => {
    const stored = await hashPassword('correct-horse-battery', MEMORY);
    expect(await verifyPassword('correct-horse-battery', stored)).toBe(true);
    expect(await verifyPassword('wrong-horse-battery', stored)).toBe(false);
    // Unicode passwords are compared in NFC: the same text typed on another keyboard still matches.
    const ja = await hashPassword('パスワード\u304c', MEMORY);
    expect(await verifyPassword('パスワードが', ja)).toBe(true);
  });

  it('matches the RFC 9106 argon2id test vector through the same primitive', async () => {
    // Node's crypto.argon2 is what hashPassword calls; its output for known inputs pins the algorithm.
    const tag = argon2Sync('argon2id', {
      message: Buffer.alloc(32, 0x01),
      nonce: Buffer.alloc(16, 0x02),
      secret: Buffer.alloc(8, 0x03),
      associatedData: Buffer.alloc(12, 0x04),
      parallelism: 4,
      tagLength: 32,
      memory: 32,
      passes: 3,
    });
    expect(tag.toString('hex')).toBe('0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659');
  });

  it('makes a decoy with the same cost that no password matches', async () => {
    const decoy = decoyHash(MEMORY);
    const real = await hashPassword('x', MEMORY);
    expect(decoy.split('$').slice(0, 4)).toEqual(real.split('$').slice(0, 4));
    expect(decoy.length).toBe(real.length);
    expect(await verifyPassword('not-a-password', decoy)).toBe(false);
    expect(decoyHash(MEMORY)).not.toBe(decoy);
  });

  it('still verifies the scrypt hashes written before, and asks for them to be rehashed', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('old-password-123', salt, 32, { N: 2 ** 10, r: 8, p: 1 });
    const legacy = ['scrypt', 10, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
    expect(await verifyPassword('old-password-123', legacy)).toBe(true);
    expect(await verifyPassword('old-password-124', legacy)).toBe(false);
    expect(needsRehash(legacy, MEMORY)).toBe(true);
    expect(needsRehash(await hashPassword('x', MEMORY), MEMORY)).toBe(false);
    expect(needsRehash(await hashPassword('x', MEMORY), 2048)).toBe(true);
  });

  it('refuses malformed or oversized stored hashes without computing', async () => {
    expect(await verifyPassword('x', '')).toBe(false);
    expect(
      await verifyPassword('x', '$argon2id$v=19$m=99999999,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
    ).toBe(false);
    expect(await verifyPassword('x', 'scrypt$40$8$1$AAAA$AAAA')).toBe(false);
  });
});
