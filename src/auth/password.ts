import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/*
 * scrypt as stored: `scrypt$<log2 N>$<r>$<p>$<salt b64url>$<hash b64url>`.
 * The parameters travel with the hash, so raising the cost later keeps old
 * hashes verifiable.
 */
const R = 8;
const P = 1;
const KEYLEN = 32;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** logN;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEYLEN, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string, logN: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, logN, R, P);
  return ['scrypt', logN, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * A stored hash no password matches (random salt and key) with the given
 * cost: checking a password against it takes exactly as long as a real
 * check, and making it costs nothing. Hashing a dummy password instead
 * would hold scrypt's 128 MiB (at the production cost) at every start.
 */
export function decoyHash(logN: number): string {
  return ['scrypt', logN, R, P, randomBytes(16).toString('base64url'), randomBytes(KEYLEN).toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, logN, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), Number(logN), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}
