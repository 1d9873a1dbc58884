#!/usr/bin/env node
// Verifies an article4-lms certificate offline, from files, with `jose` and Node built-ins only.
//
//   node scripts/verify-certificate.mjs <credential> <jwks.json> [<status-list.jwt>] [--at <ISO date>]
//
// <credential> is either form the service serves: the VC-JOSE credential (`application/vc+jwt`,
// header typ "vc+jwt", EdDSA) or the Open Badges 3.0 §8.2 JWT (`application/jwt`, typ "JWT", ES256).
// Prints a JSON verdict { valid, revoked, expired, format, serial, holder, issuer, validUntil, errors, warnings }
// and exits 0 exactly when "valid" is true: signature, claims and dates check out, not expired, and the
// status bit is not set. The bit is set for a certificate the town revoked and for one superseded by a
// newer certificate ("revoked": true either way). Exits 1 otherwise, 2 on bad usage. "revoked" is null when
// no status list was given (not checked; a warning names the list to fetch). `--at` checks validity at
// another instant, e.g. the contract's start date. See docs/verifying-certificates.md.
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { gunzipSync } from 'node:zlib';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';

const USAGE = 'usage: node verify-certificate.mjs <credential> <jwks.json> [<status-list.jwt>] [--at <ISO date>]';
const ALGORITHMS = ['EdDSA', 'ES256'];

function parseArgs(argv) {
  const files = [];
  let at = new Date();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--at' || a.startsWith('--at=')) {
      const v = a === '--at' ? argv[++i] : a.slice('--at='.length);
      at = new Date(v ?? '');
      if (Number.isNaN(at.getTime())) throw new Error(`--at: not a date: ${v}`);
    } else if (a.startsWith('--')) {
      throw new Error(`unknown option ${a}`);
    } else {
      files.push(a);
    }
  }
  if (files.length < 2 || files.length > 3) throw new Error('expected 2 or 3 files');
  return { credentialFile: files[0], jwksFile: files[1], statusListFile: files[2], at };
}

const asArray = (v) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const issuerId = (issuer) => (typeof issuer === 'string' ? issuer : issuer?.id);
/** The RFC 7638 thumbprint a kid names: the last path segment of a key URL, or a bare thumbprint (credentials before key URLs). */
const thumbprintOf = (kid) => (typeof kid === 'string' ? (/(?:^|\/)([A-Za-z0-9_-]{43})$/.exec(kid)?.[1] ?? null) : null);

/** The JWKS key the header's kid names (its key URL, or its thumbprint for older credentials). */
function keyFor(header, jwks) {
  const wanted = thumbprintOf(header.kid);
  const key = (jwks.keys ?? []).find((k) => k.kid === header.kid || (wanted && thumbprintOf(k.kid) === wanted));
  if (!key) throw new Error(`no key in the JWKS for kid ${header.kid}`);
  if (key.alg && key.alg !== header.alg) throw new Error(`the key for kid ${header.kid} is for ${key.alg}, not ${header.alg}`);
  return key;
}

/** Verifies a compact JWS against the JWKS; returns its header and parsed payload; throws with a readable message. */
async function verifyJws(jws, jwks, what) {
  let header;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    throw new Error(`${what}: not a compact JWS`);
  }
  if (!ALGORITHMS.includes(header.alg)) throw new Error(`${what}: algorithm ${header.alg} is not accepted`);
  let result;
  try {
    result = await compactVerify(jws, await importJWK(keyFor(header, jwks), header.alg), { algorithms: ALGORITHMS });
  } catch (e) {
    throw new Error(`${what}: signature does not verify with the JWKS (${e.code ?? e.message})`);
  }
  try {
    return { header: result.protectedHeader, payload: JSON.parse(Buffer.from(result.payload).toString('utf8')) };
  } catch {
    throw new Error(`${what}: payload is not JSON`);
  }
}

const isVcJose = (typ) => typ === 'vc+jwt' || typ === 'application/vc+jwt';

/**
 * The credential inside either form. VC-JOSE: the payload. Open Badges 3.0 §8.2: the payload, whose
 * registered claims must match it (iss = issuer.id, jti = id, sub = credentialSubject.id,
 * nbf = validFrom, exp = validUntil); a `vc` claim (VC 1.1 style) is accepted too.
 */
function credentialOf(header, payload, errors) {
  if (isVcJose(header.typ)) {
    if (payload.iss !== undefined && payload.iss !== issuerId(payload.issuer)) errors.push('credential: iss does not match issuer.id');
    return { vc: payload, format: 'vc+jwt' };
  }
  if (header.typ !== undefined && header.typ !== 'JWT') throw new Error(`credential: header typ is ${header.typ}, expected vc+jwt or JWT`);
  const vc = payload.vc && typeof payload.vc === 'object' ? payload.vc : payload;
  const seconds = (iso) => Math.floor(Date.parse(iso) / 1000);
  const subject = Array.isArray(vc.credentialSubject) ? vc.credentialSubject[0] : vc.credentialSubject;
  if (payload.iss !== issuerId(vc.issuer)) errors.push('credential: JWT iss does not match issuer.id');
  if (payload.jti !== vc.id) errors.push('credential: JWT jti does not match the credential id');
  if (payload.sub !== subject?.id) errors.push('credential: JWT sub does not match credentialSubject.id');
  if (payload.nbf !== seconds(vc.validFrom ?? vc.issuanceDate)) errors.push('credential: JWT nbf does not match validFrom');
  const until = vc.validUntil ?? vc.expirationDate;
  if (until !== undefined && payload.exp !== seconds(until)) errors.push('credential: JWT exp does not match validUntil');
  return { vc, format: 'jwt' };
}

/** Bit `index` of the status list, most significant bit of byte 0 first. */
function statusBit(encodedList, index) {
  if (typeof encodedList !== 'string' || !encodedList.startsWith('u'))
    throw new Error('status list: encodedList is not multibase base64url');
  const bits = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'), { maxOutputLength: 16 * 1024 * 1024 });
  if (index >= bits.length * 8) throw new Error(`status list: index ${index} is outside the list (${bits.length * 8} entries)`);
  return (bits[index >> 3] & (0x80 >> (index % 8))) !== 0;
}

async function verify({ credentialFile, jwksFile, statusListFile, at }) {
  const verdict = {
    valid: false,
    revoked: null,
    expired: null,
    format: null,
    serial: null,
    holder: null,
    issuer: null,
    validUntil: null,
    errors: [],
    warnings: [],
  };
  const jwks = JSON.parse(readFileSync(jwksFile, 'utf8'));

  let vc;
  try {
    const { header, payload } = await verifyJws(readFileSync(credentialFile, 'utf8').trim(), jwks, 'credential');
    ({ vc, format: verdict.format } = credentialOf(header, payload, verdict.errors));
  } catch (e) {
    verdict.errors.push(e.message);
    return verdict;
  }
  if (!asArray(vc.type).includes('VerifiableCredential')) verdict.errors.push('credential: not a VerifiableCredential');
  if (!asArray(vc.type).includes('OpenBadgeCredential')) verdict.errors.push('credential: not an OpenBadgeCredential');
  const subject = Array.isArray(vc.credentialSubject) ? vc.credentialSubject[0] : vc.credentialSubject;
  verdict.serial = /\/certificates\/([^/?#]+)$/.exec(vc.id ?? '')?.[1] ?? null;
  verdict.holder = subject?.name ?? null;
  verdict.issuer = typeof vc.issuer === 'string' ? vc.issuer : (vc.issuer?.name ?? vc.issuer?.id ?? null);
  verdict.validUntil = vc.validUntil ?? null;

  const from = Date.parse(vc.validFrom);
  const until = vc.validUntil === undefined ? Infinity : Date.parse(vc.validUntil);
  if (Number.isNaN(from) || Number.isNaN(until)) verdict.errors.push('credential: validFrom/validUntil is not a date');
  else if (at.getTime() < from) verdict.errors.push(`credential: not valid before ${vc.validFrom}`);
  verdict.expired = at.getTime() >= until;

  const status = asArray(vc.credentialStatus).find((s) => s?.type === 'BitstringStatusListEntry' && s.statusPurpose === 'revocation');
  if (!status) {
    verdict.errors.push('credential: no revocation status entry');
  } else if (!statusListFile) {
    verdict.warnings.push(`status not checked: give the status list from ${status.statusListCredential}`);
  } else {
    try {
      const { header, payload: list } = await verifyJws(readFileSync(statusListFile, 'utf8').trim(), jwks, 'status list');
      if (!isVcJose(header.typ)) throw new Error(`status list: header typ is ${header.typ}, expected vc+jwt`);
      if (!asArray(list.type).includes('BitstringStatusListCredential'))
        throw new Error('status list: not a BitstringStatusListCredential');
      if (list.id !== status.statusListCredential)
        throw new Error(`status list: this is ${list.id}, the credential points to ${status.statusListCredential}`);
      if (issuerId(list.issuer) !== issuerId(vc.issuer)) throw new Error('status list: issued by someone else than the credential');
      if (list.credentialSubject?.statusPurpose !== 'revocation') throw new Error('status list: not a revocation list');
      if (list.validUntil && at.getTime() >= Date.parse(list.validUntil))
        verdict.warnings.push(`status list: stale since ${list.validUntil}, fetch a fresh one`);
      const index = Number(status.statusListIndex);
      if (!/^\d+$/.test(String(status.statusListIndex)) || !Number.isSafeInteger(index))
        throw new Error('credential: statusListIndex is not an index');
      verdict.revoked = statusBit(list.credentialSubject.encodedList, index);
      if (verdict.revoked)
        verdict.warnings.push(
          'the status bit is set: the certificate was revoked, or superseded by a newer one (the verification page says which)',
        );
    } catch (e) {
      verdict.errors.push(e.message);
    }
  }
  if (verdict.expired) verdict.warnings.push(`expired on ${vc.validUntil}`);
  verdict.valid = verdict.errors.length === 0 && verdict.revoked !== true && verdict.expired === false;
  return verdict;
}

let args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${e.message}\n${USAGE}\n`);
  process.exit(2);
}
const verdict = await verify(args).catch((e) => ({ valid: false, revoked: null, expired: null, errors: [e.message], warnings: [] }));
process.stdout.write(JSON.stringify(verdict, null, 2) + '\n');
// One rule for the verdict and the exit code: 0 exactly when "valid" is true.
process.exitCode = verdict.valid === true ? 0 : 1;
