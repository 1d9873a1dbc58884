import { argon2, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/*
 * Password hashes, stored in the PHC string format:
 *   `$argon2id$v=19$m=<memory KiB>,t=<passes>,p=<lanes>$<salt>$<hash>` (salt and hash in unpadded base64).
 * Argon2id with OWASP's profile m = 19 MiB, t = 2, p = 1 (Password Storage Cheat Sheet), computed by
 * Node's own `crypto.argon2` (Node ≥ 24.7, OpenSSL): no native dependency to keep up to date. It runs
 * on libuv's thread pool, so at most four hashes (76 MiB) are in memory at once, however many sign-ins
 * arrive together. The parameters travel with each hash, so a later profile keeps old hashes verifiable.
 *
 * Hashes written before argon2id (`scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`, base64url) still verify;
 * AuthService replaces them at the owner's next successful sign-in (`needsRehash`).
 */

/** OWASP's argon2id profile; only the memory is a setting (PASSWORD_HASH_MEMORY_KIB, tests lower it). */
export const ARGON2_PROFILE = { memoryKiB: 19456, passes: 2, parallelism: 1 } as const;
/** The lowest memory the setting accepts (1 MiB): below OWASP's profile only for tests, never in production. */
export const MIN_HASH_MEMORY_KIB = 1024;
export const MAX_HASH_MEMORY_KIB = 1024 * 1024;
const SALT_BYTES = 16;
const TAG_BYTES = 32;

interface Argon2Params {
  memoryKiB: number;
  passes: number;
  parallelism: number;
}

function deriveArgon2(password: string, salt: Buffer, p: Argon2Params, tagLength = TAG_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    argon2(
      'argon2id',
      {
        message: password.normalize('NFC'),
        nonce: salt,
        parallelism: p.parallelism,
        tagLength,
        memory: p.memoryKiB,
        passes: p.passes,
      },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
const phc = (p: Argon2Params, salt: Buffer, hash: Buffer) =>
  `$argon2id$v=19$m=${p.memoryKiB},t=${p.passes},p=${p.parallelism}$${b64(salt)}$${b64(hash)}`;
const profile = (memoryKiB: number): Argon2Params => ({ ...ARGON2_PROFILE, memoryKiB });

/** A new PHC argon2id hash of the password, with a fresh 16-byte salt. */
export async function hashPassword(password: string, memoryKiB: number): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const p = profile(memoryKiB);
  return phc(p, salt, await deriveArgon2(password, salt, p));
}

/**
 * A stored hash no password matches (random salt and tag) at the current
 * profile: verifying a password against it costs exactly what a real
 * verification costs, so an unknown e-mail takes as long as a wrong
 * password. Making it costs nothing.
 */
export function decoyHash(memoryKiB: number): string {
  return phc(profile(memoryKiB), randomBytes(SALT_BYTES), randomBytes(TAG_BYTES));
}

/** True when the password matches the stored hash (argon2id PHC, or a legacy scrypt hash). Malformed: false. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('$argon2id$')) {
    const parsed = parseArgon2(stored);
    if (!parsed) return false;
    const key = await deriveArgon2(password, parsed.salt, parsed.params, parsed.hash.length);
    return timingSafeEqual(key, parsed.hash);
  }
  if (stored.startsWith('scrypt$')) return verifyScrypt(password, stored);
  return false;
}

/** True when the hash is not argon2id at the current profile (a legacy scrypt hash, or another memory setting). */
export function needsRehash(stored: string, memoryKiB: number): boolean {
  const parsed = parseArgon2(stored);
  if (!parsed) return true;
  const want = profile(memoryKiB);
  return (
    parsed.params.memoryKiB !== want.memoryKiB || parsed.params.passes !== want.passes || parsed.params.parallelism !== want.parallelism
  );
}

const PHC = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{11,64})\$([A-Za-z0-9+/]{6,128})$/;

function parseArgon2(stored: string): { params: Argon2Params; salt: Buffer; hash: Buffer } | null {
  const m = PHC.exec(stored);
  if (!m) return null;
  const params = { memoryKiB: Number(m[1]), passes: Number(m[2]), parallelism: Number(m[3]) };
  // Never let a stored string ask for more than the setting's ceiling (a tampered row must not exhaust memory).
  if (params.memoryKiB > MAX_HASH_MEMORY_KIB || params.memoryKiB < 8 * params.parallelism || params.passes < 1) return null;
  return { params, salt: Buffer.from(m[4], 'base64'), hash: Buffer.from(m[5], 'base64') };
}

/** The format before argon2id: `scrypt$<log2 N>$<r>$<p>$<salt b64url>$<hash b64url>`. */
function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const [, logN, r, p, salt, hash] = stored.split('$');
  const N = 2 ** Number(logN);
  const R = Number(r);
  const P = Number(p);
  if (!hash || !Number.isInteger(N) || N > 2 ** 20 || !(R >= 1 && R <= 32) || !(P >= 1 && P <= 16)) return Promise.resolve(false);
  const expected = Buffer.from(hash, 'base64url');
  if (expected.length < 16) return Promise.resolve(false);
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFC'),
      Buffer.from(salt, 'base64url'),
      expected.length,
      { N, r: R, p: P, maxmem: 256 * N * R + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key.length === expected.length && timingSafeEqual(key, expected))),
    ),
  );
}
