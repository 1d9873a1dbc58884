import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { credentialHeader, decodeJws, JwsError, openBadgeJwtHeader, signCompactJws, verifyCompactJws } from './jws';
import { keyUrl, publicJwkOf, publishedJwk, thumbprintOf } from './keys';

const BASE = 'https://lms.example.jp';

/** jose, a JOSE library we did not write, verifying both ways a verifier would take the key: a JWKS chosen by kid, and one imported JWK. */
async function joseVerify(jws: string, jwks: { keys: object[] }, alg: 'EdDSA' | 'ES256' = 'EdDSA') {
  const { compactVerify, createLocalJWKSet, importJWK } = await import('jose');
  try {
    const viaSet = await compactVerify(jws, createLocalJWKSet(jwks as never), { algorithms: [alg] });
    await compactVerify(jws, await importJWK(jwks.keys[0] as never, alg), { algorithms: [alg] });
    return { ok: true, header: viaSet.protectedHeader, payload: JSON.parse(Buffer.from(viaSet.payload).toString()) as unknown };
  } catch (e) {
    return { ok: false, code: (e as { code?: string }).code ?? (e as Error).message };
  }
}

describe('compact JWS, EdDSA', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = keyUrl(BASE, thumbprintOf(privateKey));
  const jwks = { keys: [publishedJwk(publicJwkOf(privateKey), kid)] };
  const payload = { type: ['VerifiableCredential'], name: '修了証', n: 1 };

  it('has exactly alg, kid, typ in the header, the kid an absolute key URL', () => {
    const jws = signCompactJws(credentialHeader(kid), payload, privateKey);
    expect(decodeJws(jws).header).toEqual({ alg: 'EdDSA', kid, typ: 'vc+jwt' });
    expect(Object.keys(decodeJws(jws).header)).toEqual(['alg', 'kid', 'typ']);
    expect(kid).toMatch(/^https:\/\/lms\.example\.jp\/keys\/[A-Za-z0-9_-]{43}$/);
    expect(decodeJws(jws).payload).toEqual(payload);
  });

  it('verifies with jose, and fails after a one-byte payload edit', async () => {
    const jws = signCompactJws(credentialHeader(kid), payload, privateKey);
    expect(await joseVerify(jws, jwks)).toEqual({ ok: true, header: { alg: 'EdDSA', kid, typ: 'vc+jwt' }, payload });

    const [h, p, s] = jws.split('.');
    const bytes = Buffer.from(p, 'base64url');
    bytes[bytes.indexOf('"n":1') + 4] = '2'.charCodeAt(0);
    const tampered = `${h}.${bytes.toString('base64url')}.${s}`;
    expect(decodeJws(tampered).payload).toEqual({ ...payload, n: 2 });
    expect(await joseVerify(tampered, jwks)).toEqual({ ok: false, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    expect(() => verifyCompactJws(tampered, publicKey)).toThrow(JwsError);
  });

  it('fails with jose under another key with the same kid', async () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    const jws = signCompactJws(credentialHeader(kid), payload, other);
    expect((await joseVerify(jws, jwks)).ok).toBe(false);
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

  it('refuses to sign with a public key or a key of another algorithm', () => {
    expect(() => signCompactJws(credentialHeader(kid), payload, createPublicKey(privateKey))).toThrow(JwsError);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(() => signCompactJws(credentialHeader(kid), payload, ec)).toThrow(JwsError);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(() => signCompactJws(credentialHeader(kid), payload, rsa)).toThrow(JwsError);
  });
});

describe('compact JWS, ES256 (the Open Badges 3.0 JWT form)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = keyUrl(BASE, thumbprintOf(privateKey));
  const jwks = { keys: [publishedJwk(publicJwkOf(privateKey), kid)] };
  const claims = { iss: BASE, sub: 'urn:uuid:1', n: 1 };

  it('signs {alg: ES256, kid, typ: JWT} with a 64-byte R || S signature that jose verifies', async () => {
    const jws = signCompactJws(openBadgeJwtHeader(kid), claims, privateKey);
    expect(decodeJws(jws).header).toEqual({ alg: 'ES256', kid, typ: 'JWT' });
    expect(decodeJws(jws).signature).toHaveLength(64);
    expect(await joseVerify(jws, jwks, 'ES256')).toMatchObject({ ok: true, payload: claims });
    expect(verifyCompactJws(jws, publicKey).payload).toEqual(claims);
    expect(() => verifyCompactJws(jws, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)).toThrow('signature does not verify');
    expect(() => signCompactJws(openBadgeJwtHeader(kid), claims, generateKeyPairSync('ed25519').privateKey)).toThrow(JwsError);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    expect(() => signCompactJws(openBadgeJwtHeader(kid), claims, p384)).toThrow(JwsError);
  });
});
