import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SigningKeysService } from '../../src/certificates/credential/signing-keys.service';
import { buildWorld, useWorld, enrolledWorker, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';
import { sit } from '../utils/quiz';

const ROOT = join(__dirname, '..', '..');
const decodePayload = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString('utf8'));

/** Runs the documented verifier script (jose) over files, as an offline verifier would. */
function verifyOffline(files: { credential: string; jwks: string; statusList?: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'a4lms-verify-'));
  const paths = Object.entries(files).map(([k, v]) => {
    const p = join(dir, k);
    writeFileSync(p, v);
    return p;
  });
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'verify-certificate.mjs'), ...paths], { encoding: 'utf8' });
  return { code: r.status, verdict: JSON.parse(r.stdout || '{}'), stderr: r.stderr };
}

function statusBit(statusListJws: string, index: number): boolean {
  const encoded: string = decodePayload(statusListJws).credentialSubject.encodedList;
  expect(encoded.startsWith('u')).toBe(true);
  const bits = gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
  expect(bits.length * 8).toBeGreaterThanOrEqual(131072);
  return ((bits[index >> 3] >> (7 - (index & 7))) & 1) === 1;
}

describe('certificates', () => {
  let t: TestApp;
  let w: World;
  const completeAll = async (token: string) => {
    let last: any;
    for (const m of w.engagement.curriculum as string[]) last = await sit(t, w.http, token, m, w.engagement.id);
    return last;
  };

  useWorld((app, world) => ([t, w] = [app, world]));

  let serial: string;
  let worker: { token: string; workerId: string };

  it('issues exactly one certificate when the curriculum is complete', async () => {
    worker = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '山田　太郎', 'cert-holder@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [worker.workerId] }, w.managers.prime.token);
    const modules = w.engagement.curriculum as string[];
    for (const m of modules.slice(0, -1)) expect((await sit(t, w.http, worker.token, m, w.engagement.id)).body.certificate).toBeNull();
    const last = await sit(t, w.http, worker.token, modules[modules.length - 1], w.engagement.id);
    expect(last.body.certificate.serial).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z*~$=U]$/);
    serial = last.body.certificate.serial;
    const mine = await w.http.get('/api/v1/me/certificates', worker.token);
    expect(mine.body).toHaveLength(1);
    expect(mine.body[0]).toMatchObject({ serial, status: 'valid', holder: { name: '山田　太郎' } });
    const me = await w.http.get('/api/v1/me/engagements', worker.token);
    expect(me.body[0].modules.every((m: any) => m.status === 'completed')).toBe(true);
  });

  it('publishes facts with the name masked, and in full to the town', async () => {
    const pub = await w.http.get(`/api/v1/certificates/${serial}`);
    expect(pub.status).toBe(200);
    expect(pub.body).toMatchObject({
      serial,
      status: 'valid',
      engagement: { title: w.engagement.title, municipality: '府中町' },
      organization: { name: w.prime.name },
    });
    expect(pub.body.holder).toEqual({ maskedName: '山田 *' });
    const town = await w.http.get(`/api/v1/certificates/${serial}`, w.staff.token);
    expect(town.body.holder).toEqual({ maskedName: '山田 *', name: '山田　太郎', email: 'cert-holder@example.jp' });
    const otherTown = await w.http.get(`/api/v1/certificates/${serial}`, w.otherStaff.token);
    expect(otherTown.body.holder.name).toBeUndefined();
    const manager = await w.http.get(`/api/v1/certificates/${serial}`, w.managers.prime.token);
    expect(manager.body.holder.name).toBe('山田　太郎');
    const sibling = await w.http.get(`/api/v1/certificates/${serial}`, w.managers.subB.token);
    expect(sibling.body.holder.name).toBeUndefined();
    // Lower case, no dashes, O for 0: typed from paper, still found.
    const typed = serial.toLowerCase().replace(/-/g, '').replace(/0/g, 'o');
    expect((await w.http.get(`/api/v1/certificates/${typed}`)).body.serial).toBe(serial);
  });

  it('catches a mistyped serial by its check character', async () => {
    const chars = serial.replace(/-/g, '');
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const wrong = alphabet[(alphabet.indexOf(chars[3]) + 1) % 32];
    const typo = chars.slice(0, 3) + wrong + chars.slice(4);
    const r = await w.http.get(`/api/v1/certificates/${typo}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'serial.check_character', message: expect.stringMatching(/typing mistake/) });
    const hello = await w.http.get('/api/v1/certificates/hello');
    expect(hello.status).toBe(400);
    expect(hello.body.code).toBe('serial.malformed');
  });

  it('serves a VC-JOSE OpenBadgeCredential that verifies with jose against the JWKS', async () => {
    const cred = await w.http.get(`/api/v1/certificates/${serial}/credential`);
    expect(cred.status).toBe(200);
    expect(cred.headers['content-type']).toContain('application/vc+jwt');
    const [h] = cred.text.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'vc+jwt', kid: expect.any(String) });
    const vc = decodePayload(cred.text);
    expect(vc['@context'][0]).toBe('https://www.w3.org/ns/credentials/v2');
    expect(vc.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(vc.issuer.name).toContain('府中町');
    expect(vc.credentialSubject.type).toContain('AchievementSubject');
    expect(vc.credentialSubject.identifier[0].identityHash).toMatch(/^sha256\$[0-9a-f]{64}$/);
    expect(vc.credentialStatus).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' });
    expect(cred.text).not.toContain('cert-holder');
    expect(JSON.stringify(vc)).not.toContain('cert-holder@example.jp');

    const jwks = await w.http.get('/.well-known/jwks.json');
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: header.kid, use: 'sig', alg: 'EdDSA' });
    const list = await w.http.get(vc.credentialStatus.statusListCredential.replace(t.config.publicBaseUrl, ''));
    expect(list.status).toBe(200);
    const ok = verifyOffline({ credential: cred.text, jwks: jwks.text, statusList: list.text });
    expect(ok.verdict).toMatchObject({ valid: true, revoked: false });
    expect(ok.code).toBe(0);

    // One byte of the payload changed: the signature no longer holds.
    const [hh, p, s] = cred.text.split('.');
    const edited = Buffer.from(p, 'base64url');
    edited[40] ^= 1;
    const bad = verifyOffline({ credential: `${hh}.${edited.toString('base64url')}.${s}`, jwks: jwks.text });
    expect(bad.code).toBe(1);
    expect(bad.verdict.valid).toBe(false);
  });

  it('revokes: the status-list bit flips and every surface says revoked', async () => {
    const vc = decodePayload((await w.http.get(`/api/v1/certificates/${serial}/credential`)).text);
    const listUrl = vc.credentialStatus.statusListCredential.replace(t.config.publicBaseUrl, '');
    const index = Number(vc.credentialStatus.statusListIndex);
    expect(statusBit((await w.http.get(listUrl)).text, index)).toBe(false);
    expect((await w.http.post(`/api/v1/certificates/${serial}/revocation`, { reason: 'x' }, w.otherStaff.token)).status).toBe(404);
    expect((await w.http.post(`/api/v1/certificates/${serial}/revocation`, { reason: 'x' }, w.managers.prime.token)).status).toBe(403);
    const r = await w.http.post(`/api/v1/certificates/${serial}/revocation`, { reason: '従事者の交代' }, w.staff.token);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('revoked');
    expect((await w.http.post(`/api/v1/certificates/${serial}/revocation`, { reason: 'again' }, w.staff.token)).status).toBe(409);
    const listJws = (await w.http.get(listUrl)).text;
    expect(statusBit(listJws, index)).toBe(true);
    expect((await w.http.get(`/api/v1/certificates/${serial}`)).body.status).toBe('revoked');
    const many = await w.http.post('/api/v1/certificates/verify', { serials: [serial, 'ZZZZ-ZZZZ-ZZZZ-Z', 'nonsense'] }, w.staff.token);
    expect(many.body[0]).toMatchObject({ serial, status: 'revoked' });
    expect(many.body[2]).toMatchObject({ status: 'invalid' });
    const page = await t.app.inject({ method: 'GET', url: `/verify/${serial}` });
    expect(page.body).toContain('取消し');
    const jwks = (await w.http.get('/.well-known/jwks.json')).text;
    const offline = verifyOffline({
      credential: (await w.http.get(`/api/v1/certificates/${serial}/credential`)).text,
      jwks,
      statusList: listJws,
    });
    expect(offline.verdict.revoked).toBe(true);
    expect(offline.code).toBe(1);
  });

  it('holds a subcontractor worker’s certificate until the town approves, then issues it', async () => {
    const sub = await enrolledWorker(w.http, w.managers.subA1.token, w.subA1.id, '下請　花子', 'sub-worker@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [sub.workerId] }, w.managers.subA1.token);
    const last = await completeAll(sub.token);
    expect(last.body.passed).toBe(true);
    expect(last.body.certificate).toBeNull();
    expect((await w.http.get('/api/v1/me/certificates', sub.token)).body).toEqual([]);
    await w.http.post(
      `${w.E}/subcontractors/${w.subA1.id}/approval`,
      { approved: true, decidedOn: '2026-12-03', reference: '府総第103号' },
      w.staff.token,
    );
    const mine = await w.http.get('/api/v1/me/certificates', sub.token);
    expect(mine.body).toHaveLength(1);
    expect(mine.body[0]).toMatchObject({ status: 'valid', organization: { name: w.subA1.name } });
  });

  it('supersedes on re-training and reads expired without any job', async () => {
    const again = await sit(t, w.http, worker.token, 'basics', w.engagement.id);
    const fresh = again.body.certificate.serial;
    expect(fresh).not.toBe(serial);
    const other = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '更新　次郎', 'renew@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [other.workerId] }, w.managers.prime.token);
    const first = (await completeAll(other.token)).body.certificate.serial;
    const renewed = (await sit(t, w.http, other.token, 'basics', w.engagement.id)).body.certificate.serial;
    expect((await w.http.get(`/api/v1/certificates/${first}`)).body.status).toBe('superseded');
    expect((await w.http.get(`/api/v1/certificates/${renewed}`)).body.status).toBe('valid');
    await t.query('UPDATE certificates SET valid_until = ? WHERE serial = ?', [new Date(Date.now() - 1000).toISOString(), renewed]);
    expect((await w.http.get(`/api/v1/certificates/${renewed}`)).body.status).toBe('expired');
  });

  it('renders the printable certificate in Japanese with 和暦 and a QR code, only for those who may see it', async () => {
    const holder = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '印刷　三郎', 'print@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [holder.workerId] }, w.managers.prime.token);
    const s = (await completeAll(holder.token)).body.certificate.serial;
    const page = await t.app.inject({ method: 'GET', url: `/certificates/${s}`, headers: { authorization: `Bearer ${holder.token}` } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('情報セキュリティ研修修了証');
    expect(page.body).toContain('印刷　三郎');
    expect(page.body).toMatch(/令和\d+年\d+月\d+日/);
    expect(page.body).toMatch(/<svg[^>]*>[\s\S]*<path/);
    expect(page.body).toContain(`/verify/${s}`);
    const en = await t.app.inject({
      method: 'GET',
      url: `/certificates/${s}?lang=en`,
      headers: { authorization: `Bearer ${holder.token}` },
    });
    expect(en.body).toContain('Certificate of Information Security Training');
    const town = await t.app.inject({ method: 'GET', url: `/certificates/${s}`, headers: { authorization: `Bearer ${w.staff.token}` } });
    expect(town.statusCode).toBe(200);
    for (const token of [undefined, w.otherStaff.token, w.managers.subB.token]) {
      const r = await t.app.inject({
        method: 'GET',
        url: `/certificates/${s}`,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      expect(r.statusCode).toBe(404);
    }
    const verify = await t.app.inject({ method: 'GET', url: `/verify/${s}` });
    expect(verify.body).toContain('有効');
    expect(verify.body).toContain('印刷 *');
    expect(verify.body).not.toContain('印刷　三郎');
  });
});

describe('signing key rotation', () => {
  it('signs with the new key while credentials signed before still verify against the JWKS', async () => {
    const t = await createTestApp();
    const w = await buildWorld(t);
    const issue = async (email: string) => {
      const x = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '鍵　太郎', email);
      await w.http.post(`${w.E}/assignments`, { workerIds: [x.workerId] }, w.managers.prime.token);
      let last: any;
      for (const m of w.engagement.curriculum) last = await sit(t, w.http, x.token, m, w.engagement.id);
      return (await w.http.get(`/api/v1/certificates/${last.body.certificate.serial}/credential`)).text;
    };
    const before = await issue('before@example.jp');
    const newKid = await t.app.get(SigningKeysService).rotate();
    const after = await issue('after@example.jp');
    const kid = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[0], 'base64url').toString()).kid;
    expect(kid(after)).toBe(newKid);
    expect(kid(before)).not.toBe(newKid);
    const jwks = (await w.http.get('/.well-known/jwks.json')).text;
    expect(
      JSON.parse(jwks)
        .keys.map((k: any) => k.kid)
        .sort(),
    ).toEqual([kid(before), newKid].sort());
    expect(verifyOffline({ credential: before, jwks }).verdict.valid).toBe(true);
    expect(verifyOffline({ credential: after, jwks }).verdict.valid).toBe(true);
    await t.close();
  });
});
