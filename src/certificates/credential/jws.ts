import { KeyObject, sign, verify } from 'node:crypto';
import { algOf, type SigningAlg } from './keys';

/*
 * Compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037) or ES256 over
 * P-256 (RFC 7518 §3.4: the signature is R || S, 64 bytes, not DER). Signing
 * uses node:crypto directly, at issuance only; verifiers use any JOSE library.
 */

export interface JwsHeader {
  alg: SigningAlg;
  /** The key URL (keys.ts `keyUrl`). */
  kid: string;
  typ: string;
}

/** Media type of a VC secured with JOSE (VC-JOSE-COSE), and the header `typ` that says so. */
export const VC_JWT_MEDIA_TYPE = 'application/vc+jwt';
/** Media type of a JWT (RFC 7519 §10.3.1): the Open Badges 3.0 §8.2 form. */
export const JWT_MEDIA_TYPE = 'application/jwt';

/** The protected header of the VC-JOSE credential and status list: exactly `alg`, `kid`, `typ`. */
export function credentialHeader(kid: string): JwsHeader {
  return { alg: 'EdDSA', kid, typ: 'vc+jwt' };
}

/** The JOSE header of the Open Badges 3.0 §8.2 JWT form: `alg` ES256, `kid`, `typ` "JWT", nothing else (§8.2 allows no other). */
export function openBadgeJwtHeader(kid: string): JwsHeader {
  return { alg: 'ES256', kid, typ: 'JWT' };
}

export class JwsError extends Error {}

const encode = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function keyAlg(key: KeyObject, type: 'private' | 'public'): SigningAlg {
  if (key.type !== type) throw new JwsError(`a ${type} key is required`);
  try {
    return algOf(key);
  } catch {
    throw new JwsError('an Ed25519 or P-256 key is required');
  }
}

/** The signature options node:crypto needs for a JOSE algorithm: none for EdDSA; SHA-256 with R || S for ES256. */
const cryptoArgs = (alg: SigningAlg) =>
  alg === 'EdDSA' ? { digest: null, options: {} } : { digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' as const } };

/**
 * Signs `payload` under `header` with `privateKey`, whose kind must match `header.alg`.
 * @throws JwsError on a key of the wrong kind or type
 */
export function signCompactJws(header: JwsHeader, payload: object, privateKey: KeyObject): string {
  if (keyAlg(privateKey, 'private') !== header.alg) throw new JwsError(`the key does not sign ${header.alg}`);
  const signingInput = `${encode(header)}.${encode(payload)}`;
  const { digest, options } = cryptoArgs(header.alg);
  const signature = sign(digest, Buffer.from(signingInput, 'ascii'), { key: privateKey, ...options });
  return `${signingInput}.${signature.toString('base64url')}`;
}

export interface DecodedJws<P = Record<string, unknown>> {
  header: Record<string, unknown>;
  payload: P;
  /** `<header>.<payload>`, the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

const SEGMENT = /^[A-Za-z0-9_-]*$/;

function parseSegment(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new JwsError(`the ${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JwsError(`the ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Splits and parses a compact JWS without verifying it. */
export function decodeJws<P = Record<string, unknown>>(jws: string): DecodedJws<P> {
  const parts = typeof jws === 'string' ? jws.trim().split('.') : [];
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p)) || !parts[0] || !parts[2]) {
    throw new JwsError('not a compact JWS');
  }
  return {
    header: parseSegment(parts[0], 'header'),
    payload: parseSegment(parts[1], 'payload') as P,
    signingInput: `${parts[0]}.${parts[1]}`,
    signature: Buffer.from(parts[2], 'base64url'),
  };
}

/**
 * Verifies a compact JWS with the given public key; the header's `alg` must be the key's.
 * @throws JwsError when it does not verify
 */
export function verifyCompactJws<P = Record<string, unknown>>(jws: string, publicKey: KeyObject): DecodedJws<P> {
  const alg = keyAlg(publicKey, 'public');
  const decoded = decodeJws<P>(jws);
  if (decoded.header.alg !== alg) throw new JwsError('unexpected alg');
  if (decoded.header.crit !== undefined) throw new JwsError('unsupported crit header');
  const { digest, options } = cryptoArgs(alg);
  if (!verify(digest, Buffer.from(decoded.signingInput, 'ascii'), { key: publicKey, ...options }, decoded.signature)) {
    throw new JwsError('signature does not verify');
  }
  return decoded;
}
