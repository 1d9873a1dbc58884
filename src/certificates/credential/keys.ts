import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/*
 * Signing keys: generation, JWK and RFC 7638 thumbprint, the key URL that is
 * a credential's `kid`, and the private key files under `<dataDir>/keys`.
 * Two kinds: Ed25519 (`EdDSA`, RFC 8037) signs the VC-JOSE credentials and
 * the status lists; P-256 (`ES256`, RFC 7518 §3.4) signs the Open Badges 3.0
 * §8.2 JWT form, whose verifiers are not required to know EdDSA. Nothing here
 * logs or returns private key material except `privateKeyToPem`, whose only
 * caller writes the key file.
 */

export type SigningAlg = 'EdDSA' | 'ES256';
export const SIGNING_ALGS: readonly SigningAlg[] = ['EdDSA', 'ES256'];

export interface Ed25519PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
}

export interface P256PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export type PublicJwk = Ed25519PublicJwk | P256PublicJwk;

/** A key as the JWKS and the key URL publish it; `kid` is the key URL. */
export type PublishedJwk = PublicJwk & { kid: string; use: 'sig'; alg: SigningAlg };

export class SigningKeyError extends Error {}

export function generateSigningKey(alg: SigningAlg = 'EdDSA'): KeyObject {
  return alg === 'EdDSA' ? generateKeyPairSync('ed25519').privateKey : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

/** The JOSE algorithm a key signs with: `EdDSA` for Ed25519, `ES256` for P-256; anything else is an error. */
export function algOf(key: KeyObject): SigningAlg {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new SigningKeyError('not an Ed25519 or P-256 key');
}

const KEY_NAMES: Record<SigningAlg, string> = { EdDSA: 'an Ed25519', ES256: 'a P-256' };

/**
 * Parses a PKCS#8 PEM private key, of the given algorithm when `alg` is given;
 * the message never echoes the input.
 * @throws SigningKeyError when it is not a PEM private key, or not of `alg`
 */
export function privateKeyFromPem(pem: string, source = 'the signing key', alg?: SigningAlg): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new SigningKeyError(`${source} is not a PEM private key`);
  }
  let actual: SigningAlg | null = null;
  try {
    actual = algOf(key);
  } catch {
    actual = null;
  }
  if (!actual || (alg && actual !== alg)) throw new SigningKeyError(`${source} is not ${alg ? KEY_NAMES[alg] : 'an Ed25519 or P-256'} key`);
  return key;
}

export function privateKeyToPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** The public half as a JWK, built member by member so `d` can never slip through. */
export function publicJwkOf(key: KeyObject): PublicJwk {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const alg = algOf(pub);
  const { x, y } = pub.export({ format: 'jwk' });
  if (!x || (alg === 'ES256' && !y)) throw new SigningKeyError('the key has no coordinates');
  return alg === 'EdDSA' ? { kty: 'OKP', crv: 'Ed25519', x } : { kty: 'EC', crv: 'P-256', x, y: y! };
}

export function publicKeyFromJwk(jwk: PublicJwk): KeyObject {
  const members = jwk.kty === 'OKP' ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x } : { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
  return createPublicKey({ key: members, format: 'jwk' });
}

export const algOfJwk = (jwk: PublicJwk): SigningAlg => (jwk.kty === 'OKP' ? 'EdDSA' : 'ES256');

/** RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace, base64url. */
export function jwkThumbprint(jwk: PublicJwk): string {
  const canonical =
    jwk.kty === 'OKP'
      ? JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })
      : JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

/** The RFC 7638 thumbprint of a key: its name in the key table and in its file name. */
export function thumbprintOf(key: KeyObject): string {
  return jwkThumbprint(publicJwkOf(key));
}

/**
 * The key URL, a credential's `kid`: absolute and dereferenceable, it answers
 * the public JWK (VC-JOSE-COSE: a `kid` that lets a verifier find the key;
 * Open Badges 3.0 §8.2: "a URI that can be dereferenced to an object of type
 * JWK"). `baseUrl` is `AppConfig.publicBaseUrl`.
 */
export const keyUrl = (baseUrl: string, thumbprint: string) => `${baseUrl}/keys/${thumbprint}`;

/** The thumbprint at the end of a key URL, or the value itself when it is a bare thumbprint (credentials signed before key URLs). */
export function thumbprintOfKid(kid: string): string | null {
  const m = /(?:^|\/)([A-Za-z0-9_-]{43})$/.exec(kid);
  return m ? m[1] : null;
}

export function publishedJwk(jwk: PublicJwk, kid: string): PublishedJwk {
  return jwk.kty === 'OKP'
    ? { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, use: 'sig', alg: 'EdDSA' }
    : { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid, use: 'sig', alg: 'ES256' };
}

export const keysDir = (dataDir: string) => join(dataDir, 'keys');
export const keyFilePath = (dataDir: string, thumbprint: string) => join(keysDir(dataDir), `signing-${thumbprint}.pem`);
const KEY_FILE = /^signing-([A-Za-z0-9_-]{43})\.pem$/;

/**
 * Writes the private key to `<dataDir>/keys/signing-<thumbprint>.pem`, mode
 * 0600, in a folder of mode 0700. Written to a temporary name and renamed, so
 * a crash never leaves a truncated key under the real name.
 */
export async function writePrivateKeyFile(dataDir: string, key: KeyObject): Promise<{ kid: string; path: string }> {
  const dir = keysDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and ignored for an existing folder.
  await chmod(dir, 0o700);
  const kid = thumbprintOf(key);
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
  /** The RFC 7638 thumbprint. */
  kid: string;
  alg: SigningAlg;
  privateKey: KeyObject;
  path: string;
  modifiedAt: Date;
}

/**
 * Every `signing-<thumbprint>.pem` under `<dataDir>/keys`, of either kind. A
 * file whose key does not match the thumbprint in its name is an error: it
 * was edited or copied wrongly.
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
    if (thumbprintOf(privateKey) !== match[1]) throw new SigningKeyError(`key file ${path} does not hold the key its name says`);
    keys.push({ kid: match[1], alg: algOf(privateKey), privateKey, path, modifiedAt: (await stat(path)).mtime });
  }
  return keys;
}
