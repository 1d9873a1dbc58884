import { TrackingService } from '../../src/reports/tracking.service';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SigningKeysService } from '../../src/certificates/credential/signing-keys.service';
import { keyUrl } from '../../src/certificates/credential/keys';
import { newSerial } from '../../src/certificates/credential/serial';
import { buildWorld, enrolledWorker, useWorld, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';
import { decodeHeader, decodePayload, fetchForVerification, statusBit, verifyOffline } from '../utils/credentials';
import { client } from '../utils/http';
import { sit } from '../utils/quiz';

const DAY = 86400_000;

/** A worker of the prime, assigned to the world's engagement. */
async function assignedWorker(w: World, name: string, email: string, org: 'prime' | 'subA' = 'prime') {
  const x = await enrolledWorker(w.http, w.managers[org].token, w[org].id, name, email);
  await w.http.post(`${w.E}/assignments`, { workerIds: [x.workerId] }, w.managers[org].token);
  return x;
}

/** Passes every module of the curriculum; the last submission's answer. */
async function completeAll(t: TestApp, w: World, token: string) {
  let last: any;
  for (const m of w.engagement.curriculum as string[]) last = await sit(t, w.http, token, m, w.engagement.id);
  return last;
}

/** Moves a certificate to `days` days before its end, keeping the length of its validity, as time passing would. */
async function endsIn(t: TestApp, serial: string, days: number) {
  const [c] = await t.query<{ valid_from: string; valid_until: string }>(
    'SELECT valid_from, valid_until FROM certificates WHERE serial = ?',
    [serial],
  );
  const until = Date.now() + days * DAY;
  const from = until - (Date.parse(c.valid_until) - Date.parse(c.valid_from));
  await t.query('UPDATE certificates SET valid_from = ?, valid_until = ? WHERE serial = ?', [
    new Date(from).toISOString(),
    new Date(until).toISOString(),
    serial,
  ]);
}

describe('certificates', () => {
  let t: TestApp;
  let w: World;
  useWorld((app, world) => ([t, w] = [app, world]));

  let serial: string;
  let worker: { token: string; workerId: string };

  it('issues exactly one certificate when the curriculum is complete', async () => {
    worker = await assignedWorker(w, '山田　太郎', 'cert-holder@example.jp');
    const modules = w.engagement.curriculum as string[];
    for (const m of modules.slice(0, -1)) expect((await sit(t, w.http, worker.token, m, w.engagement.id)).body.certificate).toBeNull();
    const last = await sit(t, w.http, worker.token, modules[modules.length - 1], w.engagement.id);
    expect(last.body.certificate.serial).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
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
    // Exactly what /verify shows: no contract number, no engagement id, no module completion times.
    expect(pub.body).toEqual({
      serial,
      status: 'valid',
      validFrom: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      validUntil: expect.any(String),
      revokedAt: null,
      engagement: { title: w.engagement.title, municipality: '府中町' },
      organization: { name: w.prime.name },
      holder: { maskedName: '山田 *' },
    });
    expect(pub.text).not.toContain(w.engagement.id);
    expect(pub.text).not.toContain('R8-001');
    expect(pub.text).not.toContain('completedAt');
    const town = await w.http.get(`/api/v1/certificates/${serial}`, w.staff.token);
    expect(town.body.holder).toEqual({ maskedName: '山田 *', name: '山田　太郎', email: 'cert-holder@example.jp' });
    // Those who see the holder keep the rest.
    expect(town.body).toMatchObject({
      ...pub.body,
      holder: town.body.holder,
      issuedAt: expect.any(String),
      revocationReason: null,
      reinstatedAt: null,
      engagement: { id: w.engagement.id, contractNumber: 'R8-001', municipalityCode: '343021' },
    });
    expect(town.body.modules.map((m: any) => m.moduleId)).toEqual(w.engagement.curriculum);
    expect(town.body.modules[0]).toEqual({
      moduleId: w.engagement.curriculum[0],
      revision: expect.any(Number),
      completedAt: expect.any(String),
    });
    const otherTown = await w.http.get(`/api/v1/certificates/${serial}`, w.otherStaff.token);
    expect(otherTown.body).toEqual(pub.body);
    // Several at once (town staff): each answers in the shape the caller may see.
    const many = await w.http.post('/api/v1/certificates/verify', { serials: [serial] }, w.otherStaff.token);
    expect(many.body).toEqual([pub.body]);
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
    // A well-formed serial nobody was given: 404, for the facts and every form of the credential.
    const unknown = newSerial();
    for (const url of ['', '/credential', '/credential?format=jwt', '/credential?form=holder']) {
      const r = await w.http.get(`/api/v1/certificates/${unknown}${url}`, w.staff.token);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('certificate.not_found');
    }
    expect((await w.http.get('/api/v1/status-lists/00000000-0000-4000-8000-000000000000')).body.code).toBe('status_list.not_found');
  });

  it('serves a VC-JOSE OpenBadgeCredential whose kid dereferences to its key, verified offline with jose', async () => {
    const cred = await w.http.get(`/api/v1/certificates/${serial}/credential`);
    expect(cred.status).toBe(200);
    expect(cred.headers['content-type']).toContain('application/vc+jwt');
    expect(cred.headers.vary).toContain('Accept');
    const header = decodeHeader(cred.text);
    expect(header).toEqual({
      alg: 'EdDSA',
      typ: 'vc+jwt',
      kid: expect.stringMatching(/^http:\/\/localhost:\d+\/keys\/[A-Za-z0-9_-]{43}$/),
    });
    const vc = decodePayload(cred.text);
    expect(vc.iss).toBe(t.config.publicBaseUrl);
    expect(vc.issuer.id).toBe(vc.iss);
    expect(vc['@context']).toEqual([
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      `${t.config.publicBaseUrl}/contexts/article4-v1.jsonld`,
    ]);
    expect(vc.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(vc.issuer.name).toContain('府中町');
    expect(vc.credentialSubject.id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(vc.credentialSubject.type).toContain('AchievementSubject');
    // The public form names the holder by the certificate's subject id alone: no salted e-mail identity.
    expect(vc.credentialSubject.identifier).toBeUndefined();
    expect(vc.credentialSubject.result.map((r: any) => r.moduleId)).toEqual(w.engagement.curriculum);
    expect(vc.credentialSubject.result[0]).toMatchObject({ type: ['Result'], status: 'Completed', moduleRevision: expect.any(Number) });
    expect(vc.credentialStatus).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' });
    expect(JSON.stringify(vc)).not.toContain('cert-holder@example.jp');
    // Whole seconds: validFrom equals the JWT form's nbf exactly.
    expect(vc.validFrom).toMatch(/:\d\dZ$/);

    // The kid is a URL that answers the key; the JWKS lists the same key under the same kid.
    const key = await w.http.get(header.kid.replace(t.config.publicBaseUrl, ''));
    expect(key.status).toBe(200);
    expect(key.headers['content-type']).toContain('application/jwk+json');
    expect(key.body).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: header.kid, use: 'sig', alg: 'EdDSA' });
    const jwks = await w.http.get('/.well-known/jwks.json');
    expect(jwks.body.keys).toContainEqual(key.body);
    expect(jwks.body.keys.map((k: any) => k.alg).sort()).toEqual(['ES256', 'EdDSA']);
    expect((await w.http.get('/keys/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);

    const files = await fetchForVerification(t, w.http, serial);
    const ok = verifyOffline(files);
    expect(ok.verdict).toMatchObject({ valid: true, revoked: false, expired: false, format: 'vc+jwt', holder: '山田 *' });
    expect(ok.code).toBe(0);

    // One byte of the payload changed: the signature no longer holds.
    const [hh, p, s] = cred.text.split('.');
    const edited = Buffer.from(p, 'base64url');
    edited[40] ^= 1;
    const bad = verifyOffline({ credential: `${hh}.${edited.toString('base64url')}.${s}`, jwks: jwks.text });
    expect(bad.code).toBe(1);
    expect(bad.verdict.valid).toBe(false);
  });

  it('offers the Open Badges 3.0 JWT form by query parameter or Accept header, with its claims, ES256 and typ JWT', async () => {
    const byQuery = await w.http.get(`/api/v1/certificates/${serial}/credential?format=jwt`);
    const byAccept = await w.http.get(`/api/v1/certificates/${serial}/credential`, undefined, { accept: 'application/jwt' });
    expect(byQuery.status).toBe(200);
    expect(byQuery.headers['content-type']).toContain('application/jwt');
    expect(byAccept.text).toBe(byQuery.text);
    const vcDefault = await w.http.get(`/api/v1/certificates/${serial}/credential`, undefined, { accept: '*/*' });
    expect(vcDefault.headers['content-type']).toContain('application/vc+jwt');
    expect((await w.http.get(`/api/v1/certificates/${serial}/credential?format=vc`, undefined, { accept: 'application/jwt' })).text).toBe(
      vcDefault.text,
    );
    expect((await w.http.get(`/api/v1/certificates/${serial}/credential?format=pdf`)).status).toBe(400);

    const header = decodeHeader(byQuery.text);
    expect(header).toEqual({ alg: 'ES256', typ: 'JWT', kid: expect.stringContaining(`${t.config.publicBaseUrl}/keys/`) });
    const claims = decodePayload(byQuery.text);
    expect(claims).toMatchObject({
      iss: t.config.publicBaseUrl,
      jti: `${t.config.publicBaseUrl}/certificates/${serial}`,
      sub: claims.credentialSubject.id,
      nbf: Date.parse(claims.validFrom) / 1000,
      exp: Date.parse(claims.validUntil) / 1000,
    });
    expect(claims.issuer.id).toBe(claims.iss);
    expect(claims.id).toBe(claims.jti);
    const files = await fetchForVerification(t, w.http, serial, '?format=jwt');
    const r = verifyOffline(files);
    expect(r.verdict).toMatchObject({ valid: true, format: 'jwt', revoked: false });
    expect(r.code).toBe(0);
  });

  it('the public credential holds no full name; the holder’s form only for those who may see the holder', async () => {
    for (const format of ['vc', 'jwt']) {
      const pub = await w.http.get(`/api/v1/certificates/${serial}/credential?format=${format}`);
      expect(pub.text).not.toContain(Buffer.from('山田　太郎').toString('base64url').slice(0, 8));
      const vc = decodePayload(pub.text);
      expect(vc.credentialSubject.name).toBe('山田 *');
      expect(JSON.stringify(vc)).not.toContain('太郎');
      expect(JSON.stringify(vc)).not.toContain('cert-holder');
      // Nor a salted hash of the e-mail address: with the masked name and the mail domain, it would confirm a guessed address.
      expect(vc.credentialSubject.identifier).toBeUndefined();
      expect(JSON.stringify(vc)).not.toMatch(/identityHash|salt/);
    }
    const holderUrl = `/api/v1/certificates/${serial}/credential?form=holder`;
    for (const token of [undefined, w.otherStaff.token, w.managers.subB.token, w.managers.outsider.token]) {
      const r = await w.http.get(holderUrl, token);
      expect(r.status).toBe(404);
      expect(r.text).not.toContain('太郎');
    }
    for (const token of [worker.token, w.managers.prime.token, w.staff.token, w.admin.token]) {
      const r = await w.http.get(holderUrl, token);
      expect(r.status).toBe(200);
      expect(r.headers['cache-control']).toBe('private, no-store');
      expect(decodePayload(r.text).credentialSubject.name).toBe('山田　太郎');
    }
    const holderJwt = await w.http.get(`${holderUrl}&format=jwt`, worker.token);
    expect(decodePayload(holderJwt.text).credentialSubject.name).toBe('山田　太郎');
    // The holder's form, VC and JWT, carries the identity the holder proves the address with.
    for (const r of [await w.http.get(holderUrl, worker.token), holderJwt]) {
      const [id] = decodePayload(r.text).credentialSubject.identifier;
      expect(id).toMatchObject({
        type: 'IdentityObject',
        identityType: 'emailAddress',
        hashed: true,
        salt: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      expect(id.identityHash).toBe(`sha256$${createHash('sha256').update(`cert-holder@example.jp${id.salt}`).digest('hex')}`);
    }
    expect(decodeHeader(holderJwt.text).alg).toBe('ES256');
    // Both forms name the same subject and verify with the same keys.
    const files = await fetchForVerification(t, w.http, serial);
    expect(verifyOffline({ ...files, credential: (await w.http.get(holderUrl, worker.token)).text }).verdict).toMatchObject({
      valid: true,
      holder: '山田　太郎',
    });
  });

  it('serves its own JSON-LD context for the terms Open Badges lacks', async () => {
    const r = await w.http.get('/contexts/article4-v1.jsonld');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('application/ld+json');
    expect(r.body['@context']).toMatchObject({ '@protected': true, moduleId: expect.any(Object), moduleRevision: expect.any(Object) });
  });

  it('repeated passes do not multiply certificates', async () => {
    const x = await assignedWorker(w, '反復　三郎', 'repeat@example.jp');
    const first = (await completeAll(t, w, x.token)).body.certificate.serial;
    for (let round = 0; round < 3; round++)
      for (const m of w.engagement.curriculum as string[]) {
        const r = await sit(t, w.http, x.token, m, w.engagement.id);
        expect(r.body.passed).toBe(true);
        expect(r.body.certificate).toBeNull();
      }
    const mine = (await w.http.get('/api/v1/me/certificates', x.token)).body;
    expect(mine.map((c: any) => c.serial)).toEqual([first]);
    expect(mine[0].status).toBe('valid');
  }, 30_000);

  it('renews in the last 30 days of validity: the old certificate is superseded and fails offline, its status bit set', async () => {
    const x = await assignedWorker(w, '更新　次郎', 'renew@example.jp');
    const a = (await completeAll(t, w, x.token)).body.certificate.serial;
    const before = await fetchForVerification(t, w.http, a);
    expect(statusBit(before.statusList, before.index)).toBe(false);

    // Forty days before the end: a re-pass issues nothing; ten days before: it renews.
    await endsIn(t, a, 40);
    expect((await sit(t, w.http, x.token, 'basics', w.engagement.id)).body.certificate).toBeNull();
    await endsIn(t, a, 10);
    const b = (await sit(t, w.http, x.token, 'basics', w.engagement.id)).body.certificate.serial;
    expect(b).not.toBe(a);
    expect((await w.http.get(`/api/v1/certificates/${a}`)).body.status).toBe('superseded');
    expect((await w.http.get(`/api/v1/certificates/${b}`)).body).toMatchObject({ status: 'valid' });
    expect(Date.parse((await w.http.get(`/api/v1/certificates/${b}`)).body.validUntil)).toBeGreaterThan(Date.now() + 700 * DAY);

    // A (superseded): its bit is set in the list it points to, so it fails offline, in either form.
    const afterA = await fetchForVerification(t, w.http, a);
    expect(statusBit(afterA.statusList, afterA.index)).toBe(true);
    const offlineA = verifyOffline(afterA);
    expect(offlineA.verdict).toMatchObject({ valid: false, revoked: true });
    expect(offlineA.code).toBe(1);
    expect(verifyOffline(await fetchForVerification(t, w.http, a, '?format=jwt')).verdict).toMatchObject({ valid: false, revoked: true });

    // The town revokes B: now both fail offline, each on its own bit.
    expect((await w.http.post(`/api/v1/certificates/${b}/revocation`, { reason: '従事者の交代' }, w.staff.token)).status).toBe(200);
    for (const s of [a, b]) {
      const files = await fetchForVerification(t, w.http, s);
      expect(statusBit(files.statusList, files.index)).toBe(true);
      expect(verifyOffline(files)).toMatchObject({ code: 1, verdict: { valid: false, revoked: true } });
    }

    // Expired: no bit needed, every verifier checks validUntil (and exp).
    const y = await assignedWorker(w, '期限　四郎', 'expire@example.jp');
    const c = (await completeAll(t, w, y.token)).body.certificate.serial;
    const stored = await fetchForVerification(t, w.http, c);
    await t.query('UPDATE certificates SET valid_until = ? WHERE serial = ?', [new Date(Date.now() - 1000).toISOString(), c]);
    expect((await w.http.get(`/api/v1/certificates/${c}`)).body.status).toBe('expired');
    const vc = decodePayload(stored.credential);
    const late = verifyOffline(stored, '--at', new Date(Date.parse(vc.validUntil) + 1000).toISOString());
    expect(late).toMatchObject({ code: 1, verdict: { valid: false, expired: true, revoked: false } });
  }, 30_000);

  it('on the shortest validity (30 days) re-passes pile nothing up; once the window opens, one renewal and no more', async () => {
    const e = (
      await w.http.post(
        '/api/v1/engagements',
        {
          title: '短期の業務',
          contractNumber: 'R8-030',
          primeContractorId: w.prime.id,
          startsOn: '2027-05-01',
          endsOn: '2027-05-31',
          handlesPersonalInfo: false,
          handlesMyNumber: false,
          usesCloudStorage: false,
          certificateValidityDays: 30,
        },
        w.staff.token,
      )
    ).body;
    const x = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '短期　六郎', 'short@example.jp');
    await w.http.post(`/api/v1/engagements/${e.id}/assignments`, { workerIds: [x.workerId] }, w.managers.prime.token);
    let last: any;
    for (const m of e.curriculum as string[]) last = await sit(t, w.http, x.token, m, e.id);
    const a = last.body.certificate.serial;
    const mine = async () => (await w.http.get('/api/v1/me/certificates', x.token)).body.filter((c: any) => c.engagement.id === e.id);

    // The reviewer's scenario: five re-passes of basics while the certificate is fresh issue nothing.
    for (let i = 0; i < 5; i++) expect((await sit(t, w.http, x.token, 'basics', e.id)).body.certificate).toBeNull();
    expect((await mine()).map((c: any) => [c.serial, c.status])).toEqual([[a, 'valid']]);

    // The window of a 30-day certificate is its last 15 days: 16 days before the end it is still closed.
    await endsIn(t, a, 16);
    expect((await sit(t, w.http, x.token, 'basics', e.id)).body.certificate).toBeNull();
    // Ten days before the end it is open: one renewal, valid 30 days from now.
    await endsIn(t, a, 10);
    const b = (await sit(t, w.http, x.token, 'basics', e.id)).body.certificate.serial;
    expect(b).not.toBe(a);
    const renewed = (await w.http.get(`/api/v1/certificates/${b}`, x.token)).body;
    expect(Date.parse(renewed.validUntil) - Date.parse(renewed.validFrom)).toBe(30 * DAY);
    // And no more: the renewed certificate's window is closed.
    for (let i = 0; i < 5; i++) expect((await sit(t, w.http, x.token, 'basics', e.id)).body.certificate).toBeNull();
    expect((await mine()).map((c: any) => [c.serial, c.status])).toEqual([
      [b, 'valid'],
      [a, 'superseded'],
    ]);
  }, 60_000);

  it('a newer module revision issues a new certificate', async () => {
    const content = mkdtempSync(join(tmpdir(), 'a4lms-content-'));
    cpSync(join(__dirname, '..', '..', 'content'), content, { recursive: true });
    const app = await createTestApp({ env: { CONTENT_DIR: content } });
    try {
      const world = await buildWorld(app);
      const x = await assignedWorker(world, '改訂　五郎', 'revision@example.jp');
      const a = (await completeAll(app, world, x.token)).body.certificate.serial;
      const revisionOf = async (s: string) =>
        (await world.http.get(`/api/v1/certificates/${s}`, x.token)).body.modules.find((m: any) => m.moduleId === 'basics').revision;
      const revision = await revisionOf(a);
      expect(revision).toBeGreaterThanOrEqual(1);
      // Same revision again: nothing new.
      expect((await sit(app, world.http, x.token, 'basics', world.engagement.id)).body.certificate).toBeNull();

      // The content is revised (a deploy) and the service restarts on the same database.
      const file = join(content, 'modules', 'basics', 'module.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^revision: \d+$/m, `revision: ${revision + 1}`));
      await app.close({ keepData: true });
      const restarted = await createTestApp({ reuse: app, env: { CONTENT_DIR: content } });
      try {
        const http = client(restarted.app);
        const r = await sit(restarted, http, x.token, 'basics', world.engagement.id);
        const b = r.body.certificate.serial;
        expect(b).not.toBe(a);
        expect((await http.get(`/api/v1/certificates/${a}`)).body.status).toBe('superseded');
        expect((await http.get(`/api/v1/certificates/${b}`, x.token)).body.modules.find((m: any) => m.moduleId === 'basics').revision).toBe(
          revision + 1,
        );
        expect(decodePayload((await http.get(`/api/v1/certificates/${b}/credential`)).text).credentialSubject.result).toContainEqual(
          expect.objectContaining({ moduleId: 'basics', moduleRevision: revision + 1 }),
        );
      } finally {
        await restarted.close();
      }
    } finally {
      rmSync(content, { recursive: true, force: true });
    }
    // Two application starts and a world: longer than a request-sized test on a busy machine.
  }, 60_000);

  it('holds a subcontractor worker’s certificate until the town approves, then issues it', async () => {
    const sub = await enrolledWorker(w.http, w.managers.subA1.token, w.subA1.id, '下請　花子', 'sub-worker@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [sub.workerId] }, w.managers.subA1.token);
    const last = await completeAll(t, w, sub.token);
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

  it('renders the printable certificate in Japanese with 和暦 and a QR code, only for those who may see it', async () => {
    const holder = await assignedWorker(w, '印刷　三郎', 'print@example.jp');
    const s = (await completeAll(t, w, holder.token)).body.certificate.serial;
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

describe('revocation holds until the town reinstates', () => {
  let t: TestApp;
  let w: World;
  useWorld((app, world) => ([t, w] = [app, world]));

  let worker: { token: string; workerId: string };
  let a: string;
  const mine = async () => (await w.http.get('/api/v1/me/certificates', worker.token)).body as any[];

  it('revokes: the status-list bit flips and every surface says revoked', async () => {
    worker = await assignedWorker(w, '取消　一郎', 'revoked@example.jp');
    a = (await completeAll(t, w, worker.token)).body.certificate.serial;
    const files = await fetchForVerification(t, w.http, a);
    expect(statusBit(files.statusList, files.index)).toBe(false);
    const url = `/api/v1/certificates/${a}/revocation`;
    expect((await w.http.post(url, { reason: 'x' }, w.otherStaff.token)).status).toBe(404);
    expect((await w.http.post(url, { reason: 'x' }, w.managers.prime.token)).status).toBe(403);
    const r = await w.http.post(url, { reason: '従事者の交代' }, w.staff.token);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'revoked', revocationReason: '従事者の交代', reinstatedAt: null });
    const again = await w.http.post(url, { reason: 'again' }, w.staff.token);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('certificate.not_revocable');
    const after = await fetchForVerification(t, w.http, a);
    expect(statusBit(after.statusList, after.index)).toBe(true);
    expect((await w.http.get(`/api/v1/certificates/${a}`)).body.status).toBe('revoked');
    const many = await w.http.post('/api/v1/certificates/verify', { serials: [a, 'ZZZZ-ZZZZ-ZZZZ-Z', 'nonsense'] }, w.staff.token);
    expect(many.body[0]).toMatchObject({ serial: a, status: 'revoked' });
    expect(many.body[2]).toMatchObject({ status: 'invalid' });
    const page = await t.app.inject({ method: 'GET', url: `/verify/${a}` });
    expect(page.body).toContain('取消し');
    expect(verifyOffline(after)).toMatchObject({ code: 1, verdict: { valid: false, revoked: true } });
  });

  it('an approval elsewhere on the engagement issues no new certificate to the revoked worker', async () => {
    const r = await w.http.post(
      `${w.E}/subcontractors/${w.subB.id}/approval`,
      { approved: true, decidedOn: '2026-12-04', reference: '府総第104号' },
      w.staff.token,
    );
    expect(r.status).toBe(200);
    expect((await mine()).map((c) => [c.serial, c.status])).toEqual([[a, 'revoked']]);
  });

  it('re-passing issues nothing either, however often', async () => {
    for (const m of w.engagement.curriculum as string[]) {
      const r = await sit(t, w.http, worker.token, m, w.engagement.id);
      expect(r.body.passed).toBe(true);
      expect(r.body.certificate).toBeNull();
    }
    expect((await mine()).map((c) => c.status)).toEqual(['revoked']);
  });

  it('only the municipality’s town staff (and admins) reinstate, with a reason; twice is a 409', async () => {
    const url = `/api/v1/certificates/${a}/reinstatement`;
    expect((await w.http.post(url, { reason: 'x' }, w.otherStaff.token)).status).toBe(404);
    expect((await w.http.post(url, { reason: 'x' }, w.managers.prime.token)).status).toBe(403);
    expect((await w.http.post(url, { reason: 'x' }, worker.token)).status).toBe(403);
    expect((await w.http.post(url, { reason: '' }, w.staff.token)).status).toBe(400);
    expect((await w.http.post(url, { reason: 'x', retraining: 'yes' }, w.staff.token)).status).toBe(400);
    // Re-training required, and the worker already passed every module again after the revocation (above):
    // issued at once. The next test shows the waiting case.
    const r = await w.http.post(url, { reason: '再教育を確認したため', retraining: true }, w.staff.token);
    expect(r.status).toBe(200);
    expect(r.body.certificate).toMatchObject({ serial: a, status: 'revoked', reinstatedAt: expect.any(String) });
    expect(r.body.issued.serial).toEqual(expect.any(String));
    expect(r.body.issued.serial).not.toBe(a);
    expect((await w.http.get(`/api/v1/certificates/${r.body.issued.serial}`)).body.status).toBe('valid');
    // Two certificates now stand side by side (neither superseded): progress and readiness take the newer, valid one.
    const progress = await w.http.get(`${w.E}/progress?limit=500`, w.staff.token);
    const rows = progress.body.organizations.flatMap((o: any) => o.workers);
    expect(rows.find((x: any) => x.id === worker.workerId)).toMatchObject({
      status: 'certified',
      certificate: { serial: r.body.issued.serial, status: 'valid' },
    });
    const readiness = await w.http.get(`${w.E}/readiness`, w.staff.token);
    expect(readiness.body.blockers.filter((b: any) => b.workerId === worker.workerId)).toEqual([]);
    // The home pages' glance reads the same standing (its own pass over several engagements).
    const glance = await t.app
      .get(TrackingService)
      .glance({ id: w.staff.id, role: 'town_staff', municipalityId: w.fuchu.id } as any, [w.engagement.id]);
    expect(glance.get(w.engagement.id)).toMatchObject({ ready: readiness.body.ready, blockers: readiness.body.counts.blockers });
    // The revoked certificate stays revoked, its bit set.
    const files = await fetchForVerification(t, w.http, a);
    expect(statusBit(files.statusList, files.index)).toBe(true);
    const twice = await w.http.post(url, { reason: 'again' }, w.staff.token);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('certificate.not_reinstatable');
    const valid = await w.http.post(`/api/v1/certificates/${r.body.issued.serial}/reinstatement`, { reason: 'x' }, w.staff.token);
    expect(valid.status).toBe(409);
    const [event] = await t.query<{ actor_id: string; details: string }>(
      "SELECT actor_id, details FROM audit_events WHERE action = 'certificate.reinstated' ORDER BY seq DESC LIMIT 1",
    );
    expect(event.actor_id).toBe(w.staff.id);
    expect(JSON.parse(event.details)).toEqual({ serial: a, retraining: true });
  });

  it('reinstatement with re-training waits until every module is passed again after the revocation', async () => {
    const x = await assignedWorker(w, '再受講　二郎', 'retrain@example.jp');
    const first = (await completeAll(t, w, x.token)).body.certificate.serial;
    await w.http.post(`/api/v1/certificates/${first}/revocation`, { reason: '誤った取扱い' }, w.staff.token);
    const r = await w.http.post(
      `/api/v1/certificates/${first}/reinstatement`,
      { reason: '再受講を条件に解除', retraining: true },
      w.staff.token,
    );
    expect(r.status).toBe(200);
    expect(r.body.issued).toBeNull();
    const modules = w.engagement.curriculum as string[];
    for (const m of modules.slice(0, -1)) expect((await sit(t, w.http, x.token, m, w.engagement.id)).body.certificate).toBeNull();
    const last = await sit(t, w.http, x.token, modules[modules.length - 1], w.engagement.id);
    expect(last.body.certificate.serial).not.toBe(first);
    expect((await w.http.get('/api/v1/me/certificates', x.token)).body.map((c: any) => c.status)).toEqual(['valid', 'revoked']);
  });

  it('reinstatement without re-training issues a new certificate at once from the training on record', async () => {
    const x = await assignedWorker(w, '誤取消　三郎', 'mistake@example.jp');
    const first = (await completeAll(t, w, x.token)).body.certificate.serial;
    await w.http.post(`/api/v1/certificates/${first}/revocation`, { reason: '誤り' }, w.staff.token);
    const r = await w.http.post(`/api/v1/certificates/${first}/reinstatement`, { reason: '誤って取り消したため' }, w.admin.token);
    expect(r.status).toBe(200);
    expect(r.body.issued.serial).not.toBe(first);
    expect((await w.http.get(`/api/v1/certificates/${r.body.issued.serial}`)).body.status).toBe('valid');
  });

  it('two simultaneous revocations: one 200, one 409, one audit event, the winner’s reason kept', async () => {
    const x = await assignedWorker(w, '同時　四郎', 'race@example.jp');
    const s = (await completeAll(t, w, x.token)).body.certificate.serial;
    const [one, two] = await Promise.all(
      ['理由その一', '理由その二'].map((reason) => w.http.post(`/api/v1/certificates/${s}/revocation`, { reason }, w.staff.token)),
    );
    expect([one.status, two.status].sort()).toEqual([200, 409]);
    const winner = one.status === 200 ? one : two;
    const events = await t.query<{ details: string }>("SELECT details FROM audit_events WHERE action = 'certificate.revoked'");
    expect(events.filter((e) => JSON.parse(e.details).serial === s)).toHaveLength(1);
    expect((await w.http.get(`/api/v1/certificates/${s}`, w.staff.token)).body.revocationReason).toBe(winner.body.revocationReason);

    const [r1, r2] = await Promise.all(
      [true, false].map((retraining) =>
        w.http.post(`/api/v1/certificates/${s}/reinstatement`, { reason: '解除', retraining }, w.staff.token),
      ),
    );
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    // Whatever won, at most one new certificate exists.
    const valid = (await w.http.get('/api/v1/me/certificates', x.token)).body.filter((c: any) => c.status === 'valid');
    expect(valid.length).toBeLessThanOrEqual(1);
  });
});

describe('signing key rotation', () => {
  it('signs with the new keys while credentials signed before still verify against the JWKS', async () => {
    const t = await createTestApp();
    try {
      const w = await buildWorld(t);
      const issue = async (email: string, query = '') => {
        const x = await assignedWorker(w, '鍵　太郎', email);
        const s = (await completeAll(t, w, x.token)).body.certificate.serial;
        return fetchForVerification(t, w.http, s, query);
      };
      const before = await issue('before@example.jp');
      const beforeJwt = await issue('before-jwt@example.jp', '?format=jwt');
      const created = await t.app.get(SigningKeysService).rotate();
      const after = await issue('after@example.jp');
      const afterJwt = await issue('after-jwt@example.jp', '?format=jwt');
      const kid = (jws: string) => decodeHeader(jws).kid;
      expect(created.map((k) => keyUrl(t.config.publicBaseUrl, k))).toEqual(
        expect.arrayContaining([kid(after.credential), kid(afterJwt.credential)]),
      );
      expect(kid(before.credential)).not.toBe(kid(after.credential));
      const jwks = (await w.http.get('/.well-known/jwks.json')).text;
      expect(JSON.parse(jwks).keys).toHaveLength(4);
      for (const files of [before, beforeJwt, after, afterJwt]) expect(verifyOffline({ ...files, jwks }).verdict.valid).toBe(true);
    } finally {
      await t.close();
    }
  }, 60_000);
});
