import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { credentialHeader, signCompactJws } from '../../src/certificates/credential/jws';
import { thumbprintOf } from '../../src/certificates/credential/keys';
import { newSerial } from '../../src/certificates/credential/serial';
import { emptyBits, STATUS_LIST_SIZE } from '../../src/certificates/credential/status-list';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { MIGRATIONS } from '../../src/database/migrations';
import { openDatabase } from '../../src/database/migrate';
import { CertificatesThatStayTrue1765200000000 } from '../../src/database/migrations/1765200000000-CertificatesThatStayTrue';
import { PublicCredentialsWithoutIdentity1765800000000 } from '../../src/database/migrations/1765800000000-PublicCredentialsWithoutIdentity';
import { portableSql } from '../../src/database/portable-sql';
import { createTestApp, TestApp } from '../utils/create-app';
import { decodePayload, fetchForVerification, statusBit, verifyOffline } from '../utils/credentials';
import { client, Client } from '../utils/http';
import { SetupService } from '../../src/setup/setup.service';
import { ADMIN } from '../factories/world';

/** The admin's token (the admin created on first use), who may fetch every holder's form. */
async function admin(t: TestApp, http: Client): Promise<string> {
  await t.app.get(SetupService).ensureAdmin(() => undefined);
  return (await http.post('/api/v1/auth/login', ADMIN)).body.token;
}

/**
 * A database migrated up to (not including) `migration`, with one
 * municipality, organization, engagement (curriculum `basics`), worker and
 * status list; `q` runs portable SQL on it until `close`.
 */
async function databaseBefore(migration: (typeof MIGRATIONS)[number], label: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'a4lms-migration-'));
  const pg = process.env.TEST_DATABASE_URL;
  let databaseUrl = `sqlite:${join(dataDir, 'test.sqlite')}`;
  if (pg) {
    const schema = `t_${process.pid}_${label}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = await new DataSource({ type: 'postgres', url: pg }).initialize();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.destroy();
    const u = new URL(pg);
    u.searchParams.set('options', `-c search_path=${schema}`);
    databaseUrl = u.toString();
  }
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: databaseUrl });
  const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(migration));
  const old = await openDatabase({ ...dataSourceOptions(config), migrations: before, entities: [] });
  const q = (sql: string, params: unknown[]) => old.query(portableSql(old, sql), params);
  const now = new Date().toISOString();
  const ids = { m: randomUUID(), o: randomUUID(), e: randomUUID(), w: randomUUID(), list: randomUUID() };
  await q('INSERT INTO municipalities (id, name, code, created_at) VALUES (?, ?, ?, ?)', [ids.m, '府中町', '343021', now]);
  await q('INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)', [ids.o, '株式会社プライム', now]);
  await q(
    `INSERT INTO engagements (id, municipality_id, title, contract_number, prime_organization_id, starts_on, ends_on,
       handles_personal_info, handles_my_number, uses_cloud_storage, extra_module_ids, curriculum, certificate_validity_days, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [ids.e, ids.m, '旧業務', 'R7-001', ids.o, '2026-04-01', '2027-03-31', true, false, false, '[]', '["basics"]', 365, now],
  );
  await q('INSERT INTO workers (id, organization_id, name, email, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', [
    ids.w,
    ids.o,
    '旧姓　花子',
    'old-holder@example.jp',
    now,
    now,
  ]);
  await q('INSERT INTO status_lists (id, purpose, size, bits, used, updated_at) VALUES (?, ?, ?, ?, ?, ?)', [
    ids.list,
    'revocation',
    STATUS_LIST_SIZE,
    emptyBits(),
    2,
    now,
  ]);
  return { config, q, ids, close: () => old.destroy() };
}

/**
 * A database written before CertificatesThatStayTrue: a superseded
 * certificate whose status bit was never set, and a valid one whose single
 * stored credential carried the holder's full name. After the migration (the
 * service's start) the bit is set, the old credential is gone, and the forms
 * are signed anew on first fetch with the same identity salt.
 */
describe('migration: certificates issued before', () => {
  let t: TestApp;
  const salt = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const serials = { superseded: newSerial(), valid: newSerial() };
  const INDEX = { superseded: 17, valid: 4242 };

  beforeAll(async () => {
    const { config, q, ids, close } = await databaseBefore(CertificatesThatStayTrue1765200000000, 'mig');
    const key = generateKeyPairSync('ed25519').privateKey;
    const oldCredential = (serial: string) =>
      signCompactJws(
        credentialHeader(thumbprintOf(key)),
        { credentialSubject: { name: '旧姓　花子', identifier: [{ type: 'IdentityObject', salt, hashed: true }] }, id: serial },
        key,
      );
    const validFrom = new Date(Date.now() - 10 * 86400_000).toISOString();
    const validUntil = new Date(Date.now() + 300 * 86400_000).toISOString();
    const modules = JSON.stringify([{ moduleId: 'basics', revision: 1, completedAt: validFrom }]);
    for (const kind of ['superseded', 'valid'] as const)
      await q(
        `INSERT INTO certificates (id, serial, worker_id, engagement_id, organization_id, status, valid_from, valid_until, modules,
           status_list_id, status_index, credential, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          randomUUID(),
          serials[kind],
          ids.w,
          ids.e,
          ids.o,
          kind,
          validFrom,
          validUntil,
          modules,
          ids.list,
          INDEX[kind],
          oldCredential(serials[kind]),
          validFrom,
        ],
      );
    await close();

    // The service starts on the old database: the migration runs.
    t = await createTestApp({ reuse: { config } as TestApp });
  }, 60_000);
  afterAll(() => t?.close());

  it('sets the status bit of the certificate already superseded, and only that one', async () => {
    const http = client(t.app);
    const sup = await fetchForVerification(t, http, serials.superseded);
    expect(sup.index).toBe(INDEX.superseded);
    expect(statusBit(sup.statusList, INDEX.superseded)).toBe(true);
    expect(statusBit(sup.statusList, INDEX.valid)).toBe(false);
    expect(verifyOffline(sup)).toMatchObject({ code: 1, verdict: { valid: false, revoked: true } });
    const valid = await fetchForVerification(t, http, serials.valid);
    expect(verifyOffline(valid)).toMatchObject({ code: 0, verdict: { valid: true, revoked: false } });
  });

  it('drops the old credential that carried the full name; the forms are signed anew, with the same identity salt', async () => {
    await expect(t.query('SELECT credential FROM certificates')).rejects.toThrow();
    const http = client(t.app);
    const pub = decodePayload((await http.get(`/api/v1/certificates/${serials.valid}/credential`)).text);
    expect(pub.credentialSubject.name).toBe('旧姓 *');
    expect(pub.credentialSubject.identifier).toBeUndefined();
    const holder = decodePayload(
      (await http.get(`/api/v1/certificates/${serials.valid}/credential?form=holder`, await admin(t, http))).text,
    );
    expect(holder.credentialSubject.identifier[0].salt).toBe(salt);
    expect(pub.credentialSubject.result).toEqual([expect.objectContaining({ moduleId: 'basics', moduleRevision: 1 })]);
    const stored = await t.query<{ form: string }>('SELECT form FROM certificate_credentials WHERE serial = ? ORDER BY form', [
      serials.valid,
    ]);
    expect(stored.map((r) => r.form)).toEqual(['holder.jwt', 'holder.vc', 'public.jwt', 'public.vc']);
    // Signed once: the next fetch answers the stored form.
    expect((await http.get(`/api/v1/certificates/${serials.valid}/credential`)).text).toBe(
      (
        await t.query<{ jws: string }>("SELECT jws FROM certificate_credentials WHERE serial = ? AND form = 'public.vc'", [serials.valid])
      )[0].jws,
    );
  });
});

/**
 * A database written before PublicCredentialsWithoutIdentity: the stored
 * public forms carry the holder's salted e-mail identity. After the migration
 * they are signed anew without it on first fetch; the holder's forms are
 * kept as they were signed.
 */
describe('migration: public credentials stored with the e-mail identity', () => {
  let t: TestApp;
  const serial = newSerial();
  const salt = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
  const stored: Record<string, string> = {};

  beforeAll(async () => {
    const { config, q, ids, close } = await databaseBefore(PublicCredentialsWithoutIdentity1765800000000, 'pub');
    const validFrom = new Date(Math.floor(Date.now() / 1000) * 1000 - 10 * 86400_000).toISOString();
    const validUntil = new Date(Date.parse(validFrom) + 365 * 86400_000).toISOString();
    await q(
      `INSERT INTO certificates (id, serial, worker_id, engagement_id, organization_id, status, valid_from, valid_until, modules,
         status_list_id, status_index, identity_salt, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        randomUUID(),
        serial,
        ids.w,
        ids.e,
        ids.o,
        'valid',
        validFrom,
        validUntil,
        JSON.stringify([{ moduleId: 'basics', revision: 1, completedAt: validFrom }]),
        ids.list,
        99,
        salt,
        validFrom,
      ],
    );
    const key = generateKeyPairSync('ed25519').privateKey;
    const identity = { type: 'IdentityObject', identityHash: 'sha256$00', identityType: 'emailAddress', hashed: true, salt };
    for (const form of ['public.vc', 'public.jwt', 'holder.vc', 'holder.jwt']) {
      stored[form] = signCompactJws(
        credentialHeader(thumbprintOf(key)),
        { id: serial, credentialSubject: { name: form.startsWith('public') ? '旧姓 *' : '旧姓　花子', identifier: [identity] } },
        key,
      );
      await q('INSERT INTO certificate_credentials (serial, form, jws) VALUES (?, ?, ?)', [serial, form, stored[form]]);
    }
    await close();
    t = await createTestApp({ reuse: { config } as TestApp });
  }, 60_000);
  afterAll(() => t?.close());

  it('drops the public forms that carried the identity; they are signed anew without it, the holder’s forms kept', async () => {
    const forms = await t.query<{ form: string }>('SELECT form FROM certificate_credentials WHERE serial = ? ORDER BY form', [serial]);
    expect(forms.map((r) => r.form)).toEqual(['holder.jwt', 'holder.vc']);
    const http = client(t.app);
    for (const format of ['vc', 'jwt']) {
      const r = await http.get(`/api/v1/certificates/${serial}/credential?format=${format}`);
      expect(r.status).toBe(200);
      const vc = decodePayload(r.text);
      expect(vc.credentialSubject).toMatchObject({ name: '旧姓 *' });
      expect(vc.credentialSubject.identifier).toBeUndefined();
      expect(JSON.stringify(vc)).not.toMatch(/identityHash|salt/);
    }
    // The holder's forms are the ones signed before, identity and all.
    const token = await admin(t, http);
    expect((await http.get(`/api/v1/certificates/${serial}/credential?form=holder`, token)).text).toBe(stored['holder.vc']);
    expect((await http.get(`/api/v1/certificates/${serial}/credential?form=holder&format=jwt`, token)).text).toBe(stored['holder.jwt']);
  });
});
