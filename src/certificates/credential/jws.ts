import { KeyObject, sign, verify } from 'node:crypto';

/*
 * Compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037), enough for
 * VC-JOSE-COSE credentials. Signing uses node:crypto directly; verifiers use
 * any JOSE library.
 */

export interface JwsHeader {
  alg: 'EdDSA';
  kid: string;
  typ: string;
}

/** Media type of a VC secured with JOSE, and the header `typ` that says so. */
export const VC_JWT_MEDIA_TYPE = 'application/vc+jwt';

/** The protected header of our credentials, exactly these three members. */
export function credentialHeader(kid: string): JwsHeader {
  return { alg: 'EdDSA', kid, typ: 'vc+jwt' };
}

export class JwsError extends Error {}

const encode = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function assertEd25519(key: KeyObject, type: 'private' | 'public') {
  if (key.asymmetricKeyType !== 'ed25519' || key.type !== type) {
    throw new JwsError(`an Ed25519 ${type} key is required`);
  }
}

export function signCompactJws(header: JwsHeader, payload: object, privateKey: KeyObject): string {
  if (header.alg !== 'EdDSA') throw new JwsError('only EdDSA is supported');
  assertEd25519(privateKey, 'private');
  const signingInput = `${encode(header)}.${encode(payload)}`;
  const signature = sign(null, Buffer.from(signingInput, 'ascii'), privateKey);
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

/** Verifies an EdDSA compact JWS with the given public key; throws JwsError when it does not verify. */
export function verifyCompactJws<P = Record<string, unknown>>(jws: string, publicKey: KeyObject): DecodedJws<P> {
  assertEd25519(publicKey, 'public');
  const decoded = decodeJws<P>(jws);
  if (decoded.header.alg !== 'EdDSA') throw new JwsError('unexpected alg');
  if (decoded.header.crit !== undefined) throw new JwsError('unsupported crit header');
  if (!verify(null, Buffer.from(decoded.signingInput, 'ascii'), publicKey, decoded.signature)) {
    throw new JwsError('signature does not verify');
  }
  return decoded;
}
