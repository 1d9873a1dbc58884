import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { resolve } from 'node:path';
import { credentialHeader, decodeJws, JwsError, signCompactJws, verifyCompactJws } from './jws';
import { kidOf, publicJwkOf, publishedJwk } from './keys';

/*
 * jose is ESM-only and Jest runs these specs as CommonJS without
 * --experimental-vm-modules, so jose runs in a child Node process.
 */
function joseVerify(jws: string, jwks: object): { ok: boolean; code?: string; header?: Record<string, unknown>; payload?: unknown } {
  const code = `
    import { compactVerify, createLocalJWKSet, importJWK } from 'jose';
    import { readFileSync } from 'node:fs';
    const { jws, jwks } = JSON.parse(readFileSync(0, 'utf8'));
    try {
      // Both ways a verifier would take the key: a JWKS chosen by kid, and one imported JWK.
      const viaSet = await compactVerify(jws, createLocalJWKSet(jwks), { algorithms: ['EdDSA'] });
      await compactVerify(jws, await importJWK(jwks.keys[0], 'EdDSA'), { algorithms: ['EdDSA'] });
      process.stdout.write(JSON.stringify({ ok: true, header: viaSet.protectedHeader, payload: JSON.parse(Buffer.from(viaSet.payload).toString()) }));
    } catch (e) {
      process.stdout.write(JSON.stringify({ ok: false, code: e.code ?? e.message }));
    }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: resolve(__dirname, '../../..'),
    input: JSON.stringify({ jws, jwks }),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe('compact JWS, EdDSA', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = kidOf(privateKey);
  const jwks = { keys: [publishedJwk(publicJwkOf(privateKey))] };
  const payload = { type: ['VerifiableCredential'], name: '修了証', n: 1 };

  it('has exactly alg, kid, typ in the header', () => {
    const jws = signCompactJws(credentialHeader(kid), payload, privateKey);
    expect(decodeJws(jws).header).toEqual({ alg: 'EdDSA', kid, typ: 'vc+jwt' });
    expect(Object.keys(decodeJws(jws).header)).toEqual(['alg', 'kid', 'typ']);
    expect(decodeJws(jws).payload).toEqual(payload);
  });

  it('verifies with jose, and fails after a one-byte payload edit', () => {
    const jws = signCompactJws(credentialHeader(kid), payload, privateKey);
    const ok = joseVerify(jws, jwks);
    expect(ok).toEqual({ ok: true, header: { alg: 'EdDSA', kid, typ: 'vc+jwt' }, payload });

    const [h, p, s] = jws.split('.');
    const bytes = Buffer.from(p, 'base64url');
    bytes[bytes.indexOf('"n":1') + 4] = '2'.charCodeAt(0);
    const tampered = `${h}.${bytes.toString('base64url')}.${s}`;
    expect(decodeJws(tampered).payload).toEqual({ ...payload, n: 2 });
    expect(joseVerify(tampered, jwks)).toEqual({ ok: false, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    expect(() => verifyCompactJws(tampered, publicKey)).toThrow(JwsError);
  });

  it('fails with jose under another key with the same kid', () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    const jws = signCompactJws(credentialHeader(kid), payload, other);
    expect(joseVerify(jws, jwks).ok).toBe(false);
  });

  it('verifyCompactJws checks the signature, the alg and the key type', () => {
    const jws = signCompactJws(credentialHeader(kid), payload, privateKey);
    expect(verifyCompactJws(jws, publicKey).payload).toEqual(payload);
    expect(verifyCompactJws(jws, createPublicKey(privateKey)).header.kid).toBe(kid);
    expect(() => verifyCompactJws(jws, generateKeyPairSync('ed25519').publicKey)).toThrow('signature does not verify');
    expect(() => verifyCompactJws(jws, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)).toThrow(JwsError);
    const [, p, s] = jws.split('.');
    const none = Buffer.from(JSON.stringify({ alg: 'none', kid, typ: 'vc+jwt' })).toString('base64url');
    expect(() => verifyCompactJws(`${none}.${p}.${s}`, publicKey)).toThrow(JwsError);
  });

  it('decodeJws rejects what is not a compact JWS', () => {
    for (const bad of ['', 'a.b', 'a.b.c.d', '!!.e30.sig', 'e30.e30.', 'W10.e30.c2ln']) {
      expect(() => decodeJws(bad)).toThrow(JwsError);
    }
  });

  it('refuses to sign with anything but an Ed25519 private key', () => {
    expect(() => signCompactJws(credentialHeader(kid), payload, createPublicKey(privateKey))).toThrow(JwsError);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(() => signCompactJws(credentialHeader(kid), payload, ec)).toThrow(JwsError);
  });
});
