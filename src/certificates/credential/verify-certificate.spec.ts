import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { credentialHeader, signCompactJws } from './jws';
import { kidOf, publicJwkOf, publishedJwk } from './keys';
import { buildOpenBadgeCredential } from './open-badge';
import { emptyBits, encodedList, setBit, statusListCredential } from './status-list';

const script = resolve(__dirname, '../../../scripts/verify-certificate.mjs');
const base = 'https://lms.example.jp';
const listUrl = `${base}/api/v1/status-lists/9a1b`;
const INDEX = 4242;

describe('scripts/verify-certificate.mjs', () => {
  let dir: string;
  const { privateKey } = generateKeyPairSync('ed25519');
  const kid = kidOf(privateKey);
  const vc = buildOpenBadgeCredential({
    baseUrl: base,
    serial: 'ABCD-EFGH-JKMN-P',
    validFrom: new Date(Date.now() - 86_400_000),
    validUntil: new Date(Date.now() + 365 * 86_400_000),
    municipality: { name: '府中町', code: '343021' },
    engagement: { id: 'e1', title: '住民情報システム運用保守業務' },
    holder: { email: 'worker@example.jp', displayName: 'Yamada Hanako' },
    modules: [{ moduleId: 'data-handling', revision: 1 }],
    status: { listUrl, index: INDEX },
  });
  const sign = (payload: object, key: KeyObject = privateKey) => signCompactJws(credentialHeader(kidOf(key)), payload, key);
  const list = (revoked: boolean, id = listUrl) =>
    sign(
      statusListCredential({
        id,
        issuer: vc.issuer,
        validFrom: new Date(),
        encodedList: encodedList(setBit(emptyBits(), INDEX, revoked)),
      }),
    );

  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', cwd: dir });
    return { status: r.status, verdict: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
  };

  let jwks: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'article4-verify-'));
    jwks = file('jwks.json', JSON.stringify({ keys: [publishedJwk(publicJwkOf(privateKey))] }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 for a valid, unrevoked, unexpired certificate', () => {
    const r = run(file('c.jwt', sign(vc)), jwks, file('s.jwt', list(false)));
    expect(r.verdict).toEqual({
      valid: true,
      revoked: false,
      expired: false,
      serial: 'ABCD-EFGH-JKMN-P',
      holder: 'Yamada Hanako',
      issuer: '府中町 / article4-lms',
      validUntil: vc.validUntil,
      errors: [],
      warnings: [],
    });
    expect(r.status).toBe(0);
    expect(kid).toBe(JSON.parse(Buffer.from(sign(vc).split('.')[0], 'base64url').toString()).kid);
  });

  it('exits 1 for a tampered credential', () => {
    const [h, p, s] = sign(vc).split('.');
    const edited = Buffer.from(Buffer.from(p, 'base64url').toString().replace('Yamada Hanako', 'Yamada Hanakp')).toString('base64url');
    const r = run(file('c.jwt', `${h}.${edited}.${s}`), jwks, file('s.jwt', list(false)));
    expect(r.status).toBe(1);
    expect(r.verdict.valid).toBe(false);
    expect(r.verdict.errors[0]).toMatch(/signature does not verify/);
  });

  it('exits 1 when the revocation bit is set', () => {
    const r = run(file('c.jwt', sign(vc)), jwks, file('s.jwt', list(true)));
    expect(r.status).toBe(1);
    expect(r.verdict).toMatchObject({ valid: true, revoked: true, expired: false });
  });

  it('exits 1 when expired at the given instant', () => {
    const r = run(file('c.jwt', sign(vc)), jwks, file('s.jwt', list(false)), '--at', '2099-01-01T00:00:00Z');
    expect(r.status).toBe(1);
    expect(r.verdict).toMatchObject({ valid: true, revoked: false, expired: true });
  });

  it('exits 1 when signed by a key the JWKS does not hold, or when the status list is not the one referenced', () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(run(file('c.jwt', sign(vc, other)), jwks).status).toBe(1);
    const wrongList = run(file('c.jwt', sign(vc)), jwks, file('s.jwt', list(false, `${base}/api/v1/status-lists/other`)));
    expect(wrongList.status).toBe(1);
    expect(wrongList.verdict.errors[0]).toMatch(/status list/);
    const forgedList = run(
      file('c.jwt', sign(vc)),
      jwks,
      file(
        's.jwt',
        sign(
          statusListCredential({
            id: listUrl,
            issuer: vc.issuer,
            validFrom: new Date(),
            encodedList: encodedList(emptyBits()),
          }),
          other,
        ),
      ),
    );
    expect(forgedList.status).toBe(1);
    expect(forgedList.verdict.revoked).toBeNull();
  });

  it('without a status list: valid, revocation unknown, with a warning', () => {
    const r = run(file('c.jwt', sign(vc)), jwks);
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
