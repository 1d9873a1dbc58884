import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { AuditService } from '../../src/audit/audit.service';
import { decodeJws, verifyCompactJws } from '../../src/certificates/credential/jws';
import { publicKeyFromJwk, type PublishedJwk } from '../../src/certificates/credential/keys';
import { CLOSE_OUT_TYP, type CloseOutClaims } from '../../src/close-out/close-out.service';
import { decrypted, ENCRYPTED_COLUMNS } from '../../src/database/columns';
import { buildWorld, enrolledWorker, PASSWORD, type World } from '../factories/world';
import { createTestApp, type TestApp } from '../utils/create-app';
import { fetchForVerification, verifyOffline } from '../utils/credentials';
import { pageClient } from '../utils/page-client';
import { sit } from '../utils/quiz';

/** Every decrypted value of every encrypted column, the holder's signed forms decoded: where a name could still be. */
async function everyPersonalValue(t: TestApp): Promise<string> {
  const out: string[] = [];
  for (const context of ENCRYPTED_COLUMNS) {
    const [table, column] = context.split('.');
    for (const r of await t.query<{ v: string }>(`SELECT ${column} AS v FROM ${table} WHERE ${column} IS NOT NULL`))
      out.push(decrypted(context, r.v));
  }
  for (const r of await t.query<{ v: string }>('SELECT jws AS v FROM certificate_credentials'))
    out.push(Buffer.from(decrypted('certificate_credentials.jws', r.v).split('.')[1], 'base64url').toString('utf8'));
  for (const r of await t.query<{ v: string }>('SELECT details AS v FROM audit_events')) out.push(r.v);
  return out.join('\n');
}

describe('close-out and erasure of an engagement (issue 22)', () => {
  let t: TestApp;
  let w: World;
  const erased = { name: '消去　花子', email: 'erased.hanako@example.jp' };
  const kept = { name: '継続　太郎', email: 'kept.taro@example.jp' };
  let serial: string;
  let keptSerial: string;

  beforeAll(async () => {
    t = await createTestApp();
    w = await buildWorld(t);
    const certify = async (who: { name: string; email: string }) => {
      const x = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, who.name, who.email);
      await w.http.post(`${w.E}/assignments`, { workerIds: [x.workerId] }, w.managers.prime.token);
      let last;
      for (const m of w.engagement.curriculum as string[]) last = await sit(t, w.http, x.token, m, w.engagement.id);
      return { ...x, serial: last!.body.certificate.serial as string };
    };
    serial = (await certify(erased)).serial;
    const k = await certify(kept);
    keptSerial = k.serial;
    // The kept worker is also on another engagement, still running.
    const other = await w.http.post(
      '/api/v1/engagements',
      {
        title: '別の業務',
        contractNumber: 'R9-CLOSE-2',
        primeContractorId: w.prime.id,
        startsOn: '2027-01-04',
        endsOn: '2029-03-31',
        handlesPersonalInfo: true,
        handlesMyNumber: false,
        usesCloudStorage: false,
      },
      w.staff.token,
    );
    expect(other.status).toBe(201);
    expect(
      (await w.http.post(`/api/v1/engagements/${other.body.id}/assignments`, { workerIds: [k.workerId] }, w.managers.prime.token)).status,
    ).toBe(200);
  }, 120_000);
  afterAll(() => t.close());

  const closeOutUrl = () => `${w.E}/close-out`;

  it('refuses before the end date, to other roles and towns, and erasure before the close-out', async () => {
    const early = await w.http.post(closeOutUrl(), {}, w.staff.token);
    expect([early.status, early.body.code, early.body.details]).toEqual([409, 'close_out.not_ended', undefined]);
    await t.query('UPDATE engagements SET ends_on = ? WHERE id = ?', ['2025-03-31', w.engagement.id]);
    expect((await w.http.post(closeOutUrl(), {}, w.managers.prime.token)).status).toBe(403);
    expect((await w.http.post(closeOutUrl(), {}, w.otherStaff.token)).status).toBe(404);
    expect((await w.http.post(closeOutUrl(), {}, w.admin.token)).status).toBe(403);
    const erase = await w.http.post(`${w.E}/erasure`, { confirm: true }, w.staff.token);
    expect([erase.status, erase.body.code]).toEqual([409, 'close_out.not_closed']);
  });

  it('closes out once: the archive digest is recorded, signed with the service key and verifiable with the JWKS', async () => {
    const r = await w.http.post(closeOutUrl(), {}, w.staff.token);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ engagementId: w.engagement.id, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), archiveKept: true });
    const again = await w.http.post(closeOutUrl(), {}, w.staff.token);
    expect([again.status, again.body.code]).toEqual([409, 'close_out.closed']);

    const archive = await w.http.get(`${closeOutUrl()}/archive`, w.staff.token);
    expect(archive.status).toBe(200);
    const bytes = Buffer.from(archive.text, 'utf8');
    const digest = createHash('sha256').update(bytes).digest('hex');
    expect(digest).toBe(r.body.sha256);
    expect(archive.headers['x-content-sha256']).toBe(digest);
    const [row] = await t.query<{ close_out_sha256: string }>('SELECT close_out_sha256 FROM engagements WHERE id = ?', [w.engagement.id]);
    expect(row.close_out_sha256).toBe(digest);
    const [event] = await t.query<{ details: string }>("SELECT details FROM audit_events WHERE action = 'engagement.closed_out'");
    expect(JSON.parse(event.details).sha256).toBe(digest);

    // The detached signature, verified as the documentation says: the key named by `kid` in the JWKS.
    const signature = (await w.http.get(`${closeOutUrl()}/signature`, w.staff.token)).text;
    expect(signature).toBe(r.body.signature);
    const { header } = decodeJws(signature);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: CLOSE_OUT_TYP });
    const jwks = (await w.http.get('/.well-known/jwks.json')).body as { keys: PublishedJwk[] };
    const jwk = jwks.keys.find((k) => k.kid === header.kid)!;
    const { payload } = verifyCompactJws<CloseOutClaims>(signature, publicKeyFromJwk(jwk));
    expect(payload).toMatchObject({ sha256: digest, sub: `urn:uuid:${w.engagement.id}`, iss: t.config.publicBaseUrl });

    const doc = JSON.parse(archive.text);
    expect(doc.roster.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining([erased.name, kept.name]));
    expect(doc.certificates.map((c: { serial: string }) => c.serial)).toEqual(expect.arrayContaining([serial, keptSerial]));
    expect(doc.completions.length).toBeGreaterThan(0);
    expect(doc.article11.report.kind).toBe('article11-compliance-report');
    expect(doc.article11.digest.algorithm).toBe('SHA-256');
    expect(doc.auditExcerpt.map((a: { action: string }) => a.action)).toContain('certificate.issued');
  });

  it('erases on confirmation only: the names are gone from every table and page, the kept worker stays', async () => {
    // The page: the erasure form is there once closed out, and refuses a post without the confirmation.
    const town = pageClient(t.app);
    expect((await town.submit('/', '/login', { email: w.staff.email, password: PASSWORD })).status).toBe(303);
    const before = await town.get(`/town/engagements/${w.engagement.id}`);
    expect(before.text).toContain(`action="/town/engagements/${w.engagement.id}/erasure"`);
    expect(before.text).toContain(`/town/engagements/${w.engagement.id}/close-out/archive`);
    const archivePage = await town.get(`/town/engagements/${w.engagement.id}/close-out/archive`);
    expect(createHash('sha256').update(archivePage.text, 'utf8').digest('hex')).toBe(archivePage.headers['x-content-sha256']);
    const refused = await town.submit(`/town/engagements/${w.engagement.id}`, `/town/engagements/${w.engagement.id}/erasure`, {});
    expect(refused.status).toBe(400);
    const unconfirmed = await w.http.post(`${w.E}/erasure`, { confirm: false }, w.staff.token);
    expect([unconfirmed.status, unconfirmed.body.code]).toEqual([400, 'close_out.confirmation_required']);
    const r = await w.http.post(`${w.E}/erasure`, { confirm: true }, w.staff.token);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ erasedWorkers: 1, keptWorkers: 1, archiveKept: false, erasedAt: expect.any(String) });
    expect((await w.http.post(`${w.E}/erasure`, { confirm: true }, w.staff.token)).body.code).toBe('close_out.erased');
    expect((await w.http.get(`${closeOutUrl()}/archive`, w.staff.token)).body.code).toBe('close_out.archive_erased');

    const values = await everyPersonalValue(t);
    expect(values).not.toContain(erased.name);
    expect(values).not.toContain(erased.email);
    expect(values).toContain(kept.name);
    const path = t.config.sqlitePath;
    if (path) {
      const file = Buffer.concat([readFileSync(path), existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0)]);
      for (const s of [erased.name, erased.email])
        expect(file.includes(Buffer.from(s, 'utf8')) || file.includes(Buffer.from(s, 'utf16le'))).toBe(false);
    }
    // The account is disabled.
    expect((await w.http.post('/api/v1/auth/login', { email: erased.email, password: PASSWORD })).status).toBe(401);

    // Pages: the town's progress and engagement page, the public verification page.
    const b = pageClient(t.app);
    expect((await b.submit('/', '/login', { email: w.staff.email, password: PASSWORD })).status).toBe(303);
    const progress = await b.get(`/engagements/${w.engagement.id}/progress`);
    const engagementPage = await b.get(`/town/engagements/${w.engagement.id}`);
    expect(engagementPage.text).toContain(r.body.sha256);
    const verifyPage = await pageClient(t.app).get(`/verify/${serial}`);
    for (const page of [progress, engagementPage, verifyPage]) {
      expect(page.status).toBe(200);
      expect(page.text).not.toContain(erased.name);
      expect(page.text).not.toContain(erased.email);
    }
    expect(verifyPage.text).toContain('消去 *');
  });

  it('keeps every certificate verifiable online and offline, and the audit chain intact', async () => {
    const online = await w.http.get(`/api/v1/certificates/${serial}`);
    expect(online.body).toMatchObject({ serial, status: 'valid', holder: { maskedName: '消去 *' } });
    expect(verifyOffline(await fetchForVerification(t, w.http, serial))).toMatchObject({ code: 0, verdict: { valid: true } });
    const [c] = await t.query<{ holder_identity_hash: string }>('SELECT holder_identity_hash FROM certificates WHERE serial = ?', [serial]);
    expect(c.holder_identity_hash).toMatch(/^sha256\$[0-9a-f]{64}$/);
    expect(await t.app.get(AuditService).verifyChain()).toMatchObject({ ok: true });
    const [event] = await t.query<{ details: string }>("SELECT details FROM audit_events WHERE action = 'engagement.personal_data_erased'");
    expect(JSON.parse(event.details)).toMatchObject({ erasedWorkers: 1, keptWorkers: 1 });
  });
});
