import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { credentialHeader, JwsHeader, openBadgeJwtHeader, signCompactJws } from './jws';
import { keyUrl, publicJwkOf, publishedJwk, thumbprintOf } from './keys';
import { buildOpenBadgeCredential, openBadgeJwtClaims, vcJosePayload } from './open-badge';
import { emptyBits, encodedList, setBit, statusListCredential } from './status-list';

const script = resolve(__dirname, '../../../scripts/verify-certificate.mjs');
const base = 'https://lms.example.jp';
const listUrl = `${base}/api/v1/status-lists/9a1b`;
const INDEX = 4242;

describe('scripts/verify-certificate.mjs', () => {
  let dir: string;
  const ed = generateKeyPairSync('ed25519').privateKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const urlOf = (key: KeyObject) => keyUrl(base, thumbprintOf(key));
  const vc = buildOpenBadgeCredential({
    baseUrl: base,
    serial: 'ABCD-EFGH-JKMN-P',
    subjectId: 'urn:uuid:0b6f1c2e-0000-4000-8000-000000000001',
    validFrom: new Date(Math.floor(Date.now() / 1000) * 1000 - 86_400_000),
    validUntil: new Date(Math.floor(Date.now() / 1000) * 1000 + 365 * 86_400_000),
    municipality: { name: '府中町', code: '343021' },
    engagement: { id: 'e1', title: '住民情報システム運用保守業務' },
    holder: { email: 'worker@example.jp', name: 'Yamada Hanako', salt: '00112233445566778899aabbccddeeff' },
    modules: [{ moduleId: 'data-handling', revision: 1 }],
    status: { listUrl, index: INDEX },
    form: 'holder',
  });
  const sign = (payload: object, key: KeyObject = ed, header: JwsHeader = credentialHeader(urlOf(key))) =>
    signCompactJws(header, payload, key);
  const obJwt = (claims: object = openBadgeJwtClaims(vc), key: KeyObject = ec) => sign(claims, key, openBadgeJwtHeader(urlOf(key)));
  const list = (bitSet: boolean, id = listUrl) =>
    sign(
      vcJosePayload(
        statusListCredential({
          id,
          issuer: vc.issuer,
          validFrom: new Date(),
          encodedList: encodedList(setBit(emptyBits(), INDEX, bitSet)),
        }),
      ),
    );

  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', cwd: dir });
    const verdict = r.stdout ? JSON.parse(r.stdout) : null;
    // The one rule the script keeps: it exits 0 exactly when it says valid.
    if (verdict) expect(r.status === 0).toBe(verdict.valid === true);
    return { status: r.status, verdict, stderr: r.stderr };
  };

  let jwks: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'article4-verify-'));
    jwks = file('jwks.json', JSON.stringify({ keys: [ed, ec].map((k) => publishedJwk(publicJwkOf(k), urlOf(k))) }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 for a valid VC-JOSE certificate whose bit is not set', () => {
    const r = run(file('c.jwt', sign(vcJosePayload(vc))), jwks, file('s.jwt', list(false)));
    expect(r.verdict).toEqual({
      valid: true,
      revoked: false,
      expired: false,
      format: 'vc+jwt',
      serial: 'ABCD-EFGH-JKMN-P',
      holder: 'Yamada Hanako',
      issuer: '府中町 / article4-lms',
      validUntil: vc.validUntil,
      errors: [],
      warnings: [],
    });
    expect(r.status).toBe(0);
  });

  it('takes the Open Badges 3.0 JWT form (ES256, typ JWT) and checks its claims against the credential', () => {
    const ok = run(file('c.jwt', obJwt()), jwks, file('s.jwt', list(false)));
    expect(ok.verdict).toMatchObject({ valid: true, format: 'jwt', revoked: false, serial: 'ABCD-EFGH-JKMN-P' });
    expect(ok.status).toBe(0);
    for (const wrong of [
      { sub: 'urn:uuid:someone-else' },
      { jti: `${base}/certificates/OTHER` },
      { nbf: 1 },
      { exp: 2 },
      { iss: 'https://evil.example' },
    ]) {
      const r = run(file('c.jwt', obJwt({ ...openBadgeJwtClaims(vc), ...wrong })), jwks, file('s.jwt', list(false)));
      expect(r.status).toBe(1);
      expect(r.verdict.valid).toBe(false);
      expect(r.verdict.errors[0]).toMatch(/JWT (sub|jti|nbf|exp|iss)/);
    }
  });

  it('exits 1 with valid false for a tampered credential', () => {
    const [h, p, s] = sign(vcJosePayload(vc)).split('.');
    const edited = Buffer.from(Buffer.from(p, 'base64url').toString().replace('Yamada Hanako', 'Yamada Hanakp')).toString('base64url');
    const r = run(file('c.jwt', `${h}.${edited}.${s}`), jwks, file('s.jwt', list(false)));
    expect(r.status).toBe(1);
    expect(r.verdict.valid).toBe(false);
    expect(r.verdict.errors[0]).toMatch(/signature does not verify/);
  });

  it('exits 1 with valid false when the status bit is set (revoked or superseded), in either form', () => {
    for (const credential of [sign(vcJosePayload(vc)), obJwt()]) {
      const r = run(file('c.jwt', credential), jwks, file('s.jwt', list(true)));
      expect(r.status).toBe(1);
      expect(r.verdict).toMatchObject({ valid: false, revoked: true, expired: false, errors: [] });
      expect(r.verdict.warnings.join(' ')).toMatch(/revoked, or superseded/);
    }
  });

  it('exits 1 with valid false when expired at the given instant', () => {
    const r = run(file('c.jwt', sign(vcJosePayload(vc))), jwks, file('s.jwt', list(false)), '--at', '2099-01-01T00:00:00Z');
    expect(r.status).toBe(1);
    expect(r.verdict).toMatchObject({ valid: false, revoked: false, expired: true, errors: [] });
    const early = run(file('c.jwt', obJwt()), jwks, file('s.jwt', list(false)), '--at', '2000-01-01');
    expect(early.verdict.valid).toBe(false);
    expect(early.verdict.errors[0]).toMatch(/not valid before/);
  });

  it('exits 1 when signed by a key the JWKS does not hold, or when the status list is not the one referenced', () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(run(file('c.jwt', sign(vcJosePayload(vc), other)), jwks).status).toBe(1);
    // A key the JWKS holds, under another key's kid.
    expect(run(file('c.jwt', sign(vcJosePayload(vc), other, credentialHeader(urlOf(ed)))), jwks).status).toBe(1);
    const wrongList = run(file('c.jwt', sign(vcJosePayload(vc))), jwks, file('s.jwt', list(false, `${base}/api/v1/status-lists/other`)));
    expect(wrongList.status).toBe(1);
    expect(wrongList.verdict.errors[0]).toMatch(/status list/);
    const forged = sign(
      vcJosePayload(statusListCredential({ id: listUrl, issuer: vc.issuer, validFrom: new Date(), encodedList: encodedList(emptyBits()) })),
      other,
    );
    const forgedList = run(file('c.jwt', sign(vcJosePayload(vc))), jwks, file('s.jwt', forged));
    expect(forgedList.status).toBe(1);
    expect(forgedList.verdict.revoked).toBeNull();
  });

  it('finds the key of a credential signed before key URLs by its bare thumbprint kid', () => {
    const legacy = signCompactJws(credentialHeader(thumbprintOf(ed)), vc, ed);
    const r = run(file('c.jwt', legacy), jwks, file('s.jwt', list(false)));
    expect(r.verdict).toMatchObject({ valid: true, format: 'vc+jwt' });
  });

  it('without a status list: valid, status unknown, with a warning', () => {
    const r = run(file('c.jwt', sign(vcJosePayload(vc))), jwks);
    expect(r.status).toBe(0);
    expect(r.verdict.revoked).toBeNull();
    expect(r.verdict.warnings[0]).toContain(listUrl);
  });

  it('exits 2 on bad usage', () => {
    const r = run('only-one-file');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage');
  });
});
