import { decoyHash, hashPassword, verifyPassword } from './password';

describe('password hashes', () => {
  it('verifies the right password only', async () => {
    const stored = await hashPassword('correct-horse-battery', 10);
    expect(await verifyPassword('correct-horse-battery', stored)).toBe(true);
    expect(await verifyPassword('wrong-horse-battery', stored)).toBe(false);
  });

  it('makes a decoy with the same cost that no password matches', async () => {
    const decoy = decoyHash(10);
    expect(decoy.split('$').slice(0, 4)).toEqual((await hashPassword('x', 10)).split('$').slice(0, 4));
    expect(await verifyPassword('not-a-password', decoy)).toBe(false);
    expect(decoyHash(10)).not.toBe(decoy);
  });
});
