import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/*
 * Ed25519 signing keys: generation, JWK and RFC 7638 thumbprint (the kid),
 * and the private key files under `<dataDir>/keys`. Nothing here logs or
 * returns private key material except `privateKeyToPem`, whose only caller
 * writes the key file.
 */

export interface Ed25519PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
}

export interface PublishedJwk extends Ed25519PublicJwk {
  kid: string;
  use: 'sig';
  alg: 'EdDSA';
}

export class SigningKeyError extends Error {}

export function generateSigningKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

/** Parses a PKCS#8 PEM Ed25519 private key; the message never echoes the input. */
export function privateKeyFromPem(pem: string, source = 'the signing key'): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new SigningKeyError(`${source} is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`${source} is not an Ed25519 key`);
  return key;
}

export function privateKeyToPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** The public half as a JWK, built member by member so `d` can never slip through. */
export function publicJwkOf(key: KeyObject): Ed25519PublicJwk {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== 'ed25519') throw new SigningKeyError('not an Ed25519 key');
  const { x } = pub.export({ format: 'jwk' });
  if (!x) throw new SigningKeyError('the key has no x coordinate');
  return { kty: 'OKP', crv: 'Ed25519', x };
}

export function publicKeyFromJwk(jwk: Ed25519PublicJwk): KeyObject {
  return createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace, base64url. */
export function jwkThumbprint(jwk: Ed25519PublicJwk): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

export function kidOf(key: KeyObject): string {
  return jwkThumbprint(publicJwkOf(key));
}

export function publishedJwk(jwk: Ed25519PublicJwk, kid = jwkThumbprint(jwk)): PublishedJwk {
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, use: 'sig', alg: 'EdDSA' };
}

export const keysDir = (dataDir: string) => join(dataDir, 'keys');
export const keyFilePath = (dataDir: string, kid: string) => join(keysDir(dataDir), `signing-${kid}.pem`);
const KEY_FILE = /^signing-([A-Za-z0-9_-]{43})\.pem$/;

/**
 * Writes the private key to `<dataDir>/keys/signing-<kid>.pem`, mode 0600, in a
 * folder of mode 0700. Written to a temporary name and renamed, so a crash
 * never leaves a truncated key under the real name.
 */
export async function writePrivateKeyFile(dataDir: string, key: KeyObject): Promise<{ kid: string; path: string }> {
  const dir = keysDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and ignored for an existing folder.
  await chmod(dir, 0o700);
  const kid = kidOf(key);
  const path = keyFilePath(dataDir, kid);
  const tmp = join(dir, `.signing-${kid}.${randomBytes(6).toString('hex')}.tmp`);
  const file = await open(tmp, 'wx', 0o600);
  try {
    await file.chmod(0o600);
    await file.writeFile(privateKeyToPem(key), 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return { kid, path };
}

export interface StoredPrivateKey {
  kid: string;
  privateKey: KeyObject;
  path: string;
  modifiedAt: Date;
}

/**
 * Every `signing-<kid>.pem` under `<dataDir>/keys`. A file whose key does not
 * match the kid in its name is an error: it was edited or copied wrongly.
 */
export async function readPrivateKeyFiles(dataDir: string): Promise<StoredPrivateKey[]> {
  const dir = keysDir(dataDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const keys: StoredPrivateKey[] = [];
  for (const name of names.sort()) {
    const match = KEY_FILE.exec(name);
    if (!match) continue;
    const path = join(dir, name);
    const privateKey = privateKeyFromPem(await readFile(path, 'utf8'), `key file ${path}`);
    if (kidOf(privateKey) !== match[1]) throw new SigningKeyError(`key file ${path} does not hold the key its name says`);
    keys.push({ kid: match[1], privateKey, path, modifiedAt: (await stat(path)).mtime });
  }
  return keys;
}
