#!/usr/bin/env node
// Verifies an article4-lms certificate offline, from files, with `jose` and Node built-ins only.
//
//   node scripts/verify-certificate.mjs <credential.jwt> <jwks.json> [<status-list.jwt>] [--at <ISO date>]
//
// Prints a JSON verdict { valid, revoked, expired, serial, holder, issuer, validUntil, errors, warnings }
// and exits 0 when the credential is valid, not revoked and not expired; 1 otherwise; 2 on bad usage.
// `revoked` is null when no status list was given (revocation not checked). `--at` checks validity at
// another instant, e.g. the contract's start date. See docs/verifying-certificates.md.
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { gunzipSync } from 'node:zlib';
import { compactVerify, createLocalJWKSet } from 'jose';

const USAGE = 'usage: node verify-certificate.mjs <credential.jwt> <jwks.json> [<status-list.jwt>] [--at <ISO date>]';

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

/** Verifies a vc+jwt against the JWKS and returns its payload; throws with a readable message. */
async function verifyVcJwt(jws, keySet, what) {
  let result;
  try {
    result = await compactVerify(jws.trim(), keySet, { algorithms: ['EdDSA'] });
  } catch (e) {
    throw new Error(`${what}: signature does not verify with the JWKS (${e.code ?? e.message})`);
  }
  const typ = result.protectedHeader.typ;
  if (typ !== 'vc+jwt' && typ !== 'application/vc+jwt') throw new Error(`${what}: header typ is ${typ}, expected vc+jwt`);
  let payload;
  try {
    payload = JSON.parse(Buffer.from(result.payload).toString('utf8'));
  } catch {
    throw new Error(`${what}: payload is not JSON`);
  }
  if (!asArray(payload.type).includes('VerifiableCredential')) throw new Error(`${what}: not a VerifiableCredential`);
  return { payload, kid: result.protectedHeader.kid };
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
    serial: null,
    holder: null,
    issuer: null,
    validUntil: null,
    errors: [],
    warnings: [],
  };
  const keySet = createLocalJWKSet(JSON.parse(readFileSync(jwksFile, 'utf8')));

  let vc;
  try {
    vc = (await verifyVcJwt(readFileSync(credentialFile, 'utf8'), keySet, 'credential')).payload;
  } catch (e) {
    verdict.errors.push(e.message);
    return verdict;
  }
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
    verdict.warnings.push(`revocation not checked: give the status list from ${status.statusListCredential}`);
  } else {
    try {
      const { payload: list } = await verifyVcJwt(readFileSync(statusListFile, 'utf8'), keySet, 'status list');
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
    } catch (e) {
      verdict.errors.push(e.message);
    }
  }
  verdict.valid = verdict.errors.length === 0;
  return verdict;
}

let args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${e.message}\n${USAGE}\n`);
  process.exit(2);
}
const verdict = await verify(args).catch((e) => ({ valid: false, revoked: null, expired: null, errors: [e.message] }));
process.stdout.write(JSON.stringify(verdict, null, 2) + '\n');
process.exitCode = verdict.valid && verdict.revoked !== true && verdict.expired === false ? 0 : 1;
