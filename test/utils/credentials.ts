import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { TestApp } from './create-app';
import type { Client } from './http';

const ROOT = join(__dirname, '..', '..');

export const decodeHeader = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[0], 'base64url').toString('utf8'));
export const decodePayload = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString('utf8'));

/** Runs the documented verifier script (jose) over files, as an offline verifier would; the verdict and the exit code. */
export function verifyOffline(files: { credential: string; jwks: string; statusList?: string }, ...args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'a4lms-verify-'));
  try {
    const given = { credential: files.credential, jwks: files.jwks, ...(files.statusList ? { statusList: files.statusList } : {}) };
    const paths = Object.entries(given).map(([k, v]) => {
      const p = join(dir, k);
      writeFileSync(p, v);
      return p;
    });
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'verify-certificate.mjs'), ...paths, ...args], { encoding: 'utf8' });
    return { code: r.status, verdict: JSON.parse(r.stdout || '{}'), stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bit at `index` of a status list JWS, decoded by hand (multibase `u`, base64url, gunzip, most significant bit first). */
export function statusBit(statusListJws: string, index: number): boolean {
  const encoded: string = decodePayload(statusListJws).credentialSubject.encodedList;
  if (!encoded.startsWith('u')) throw new Error('encodedList is not multibase base64url');
  const bits = gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
  if (bits.length * 8 < 131072) throw new Error('status list shorter than 131,072 entries');
  return ((bits[index >> 3] >> (7 - (index & 7))) & 1) === 1;
}

/** Everything an offline verifier of one certificate holds: the credential, the JWKS and the status list it points to. */
export async function fetchForVerification(t: TestApp, http: Client, serial: string, query = '') {
  const credential = (await http.get(`/api/v1/certificates/${serial}/credential${query}`)).text;
  const entry = decodePayload(credential).credentialStatus;
  const statusList = (await http.get(entry.statusListCredential.replace(t.config.publicBaseUrl, ''))).text;
  const jwks = (await http.get('/.well-known/jwks.json')).text;
  return { credential, jwks, statusList, index: Number(entry.statusListIndex) };
}
