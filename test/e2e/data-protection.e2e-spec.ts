import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { hashPassword } from '../../src/auth/password';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { openDatabase } from '../../src/database/migrate';
import { MIGRATIONS } from '../../src/database/migrations';
import { PersonalDataEncrypted1766100000000 } from '../../src/database/migrations/1766100000000-PersonalDataEncrypted';
import { portableSql } from '../../src/database/portable-sql';
import { installDataKeys, readDataKeyFiles, writeDataKeyFile } from '../../src/common/crypto/data-keys';
import { DATA_KEYS, DataKeyRing } from '../../src/common/crypto/field-cipher';
import { emailIndex, ENCRYPTED_COLUMNS } from '../../src/database/columns';
import { rotateDataKeys } from '../../src/database/data-key-rotation';
import { DEMO_PASSWORD, SetupService } from '../../src/setup/setup.service';
import { User } from '../../src/users/user.entity';
import { Worker } from '../../src/workers/worker.entity';
import { createTestApp, TestApp } from '../utils/create-app';
import { client } from '../utils/http';

const CSV = { 'content-type': 'text/csv' };

/** Every value of every encrypted column, with the key id it is under (null: plain text). */
async function storedKids(t: TestApp): Promise<(string | null)[]> {
  const kids: (string | null)[] = [];
  for (const context of ENCRYPTED_COLUMNS) {
    const [table, column] = context.split('.');
    for (const r of await t.query<{ v: string }>(`SELECT ${column} AS v FROM ${table} WHERE ${column} IS NOT NULL`))
      kids.push(DataKeyRing.kidOf(r.v));
  }
  for (const r of await t.query<{ v: string }>("SELECT jws AS v FROM certificate_credentials WHERE form LIKE 'holder.%'"))
    kids.push(DataKeyRing.kidOf(r.v));
  return kids;
}

describe('personal data at rest (issue 22)', () => {
  let t: TestApp;
  let people: { names: string[]; emails: string[] };
  beforeAll(async () => {
    t = await createTestApp();
    const setup = t.app.get(SetupService);
    jest.spyOn(setup, 'announce').mockImplementation(() => undefined);
    await setup.seedDemo();
    const workers = await t.dataSource.getRepository(Worker).find();
    const users = await t.dataSource.getRepository(User).find();
    people = {
      names: [...new Set([...workers.map((w) => w.name), ...users.filter((u) => u.role === 'worker').map((u) => u.displayName)])],
      emails: [...new Set([...workers.map((w) => w.email), ...users.map((u) => u.email)])],
    };
  });
  afterAll(() => t.close());

  it('leaves no demo name or e-mail address in the database file or its WAL, in UTF-8 or UTF-16', async () => {
    expect(people.names.length).toBeGreaterThan(5);
    expect(people.emails.length).toBeGreaterThan(10);
    // Only SQLite has a file to read; on PostgreSQL the columns are checked instead.
    const path = t.config.sqlitePath;
    const bytes = path
      ? Buffer.concat([readFileSync(path), existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0)])
      : null;
    const found = (s: string) => !!bytes && (bytes.includes(Buffer.from(s, 'utf8')) || bytes.includes(Buffer.from(s, 'utf16le')));
    // The scan works: an organization's name (not personal data) is there in the clear.
    if (bytes) expect(found('株式会社安芸情報システム')).toBe(true);
    expect([...people.names, ...people.emails].filter(found)).toEqual([]);
    // Every value of every encrypted column is a v1 value under the current key.
    const kids = await storedKids(t);
    expect(kids.length).toBeGreaterThan(30);
    expect(new Set(kids)).toEqual(new Set([DATA_KEYS.current().kid]));
  });

  it('signs in and re-imports by e-mail through the blind index', async () => {
    const http = client(t.app);
    // Found whatever the typing: the index is over the normalised address.
    const manager = await http.post('/api/v1/auth/login', { email: ' ＭＡＮＡＧＥＲ@aki-joho.example.jp', password: DEMO_PASSWORD });
    expect(manager.status).toBe(200);
    const me = (await http.get('/api/v1/me', manager.body.token)).body;
    const csv = 'name,email,employeeNumber\n安芸　改名,worker1@aki-joho.example.jp,AK0001\n新規　一郎,brand.new@aki-joho.example.jp,\n';
    const r = await http.post(`/api/v1/organizations/${me.organizationId}/workers/import`, csv, manager.body.token, CSV);
    expect(r.body).toMatchObject({ created: 1, updated: 1, errorCount: 0 });
    const again = await http.post(`/api/v1/organizations/${me.organizationId}/workers/import`, csv, manager.body.token, CSV);
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    // The list shows the names decrypted (sorted 五十音順 in memory: src/workers/worker-order.ts).
    const names = (await http.get(`/api/v1/organizations/${me.organizationId}/workers?limit=100`, manager.body.token)).body.items.map(
      (w: { name: string }) => w.name,
    );
    expect(names).toContain('安芸　改名');
    expect(names).toContain('新規　一郎');
  });

  it('rotates the data key: old values decrypt during the rotation, an interrupted run resumes, everything ends under the new key', async () => {
    const http = client(t.app);
    const old = DATA_KEYS.current().kid;
    writeDataKeyFile(t.config.dataDir, readDataKeyFiles(t.config.dataDir).length + 1);
    const fresh = installDataKeys(t.config).kid;
    expect(fresh).not.toBe(old);

    // Interrupted after the first column with values.
    await expect(
      rotateDataKeys(t.dataSource, {
        batch: 7,
        onProgress: (p) => {
          if (p.reencrypted) throw new Error('stopped');
        },
      }),
    ).rejects.toThrow('stopped');
    const mixed = await storedKids(t);
    expect(mixed).toContain(old);
    expect(mixed).toContain(fresh);
    // Meanwhile, rows under either key are read and found.
    expect((await http.post('/api/v1/auth/login', { email: 'worker2@aki-joho.example.jp', password: DEMO_PASSWORD })).status).toBe(200);
    const staff = await http.post('/api/v1/auth/login', { email: 'staff@fuchu.example.jp', password: DEMO_PASSWORD });
    expect(staff.status).toBe(200);
    expect(staff.body.user.displayName).toBe('府中町 情報政策課');

    const done = await rotateDataKeys(t.dataSource, { batch: 7 });
    expect(done.reduce((n, p) => n + p.reencrypted, 0)).toBeGreaterThan(0);
    expect(new Set(await storedKids(t))).toEqual(new Set([fresh]));
    // A second run finds nothing to do.
    expect((await rotateDataKeys(t.dataSource)).every((p) => p.reencrypted === 0)).toBe(true);
    // The blind indexes moved with the values: sign-in and import still find the addresses.
    const manager = await http.post('/api/v1/auth/login', { email: 'manager@aki-joho.example.jp', password: DEMO_PASSWORD });
    expect(manager.status).toBe(200);
    const me = (await http.get('/api/v1/me', manager.body.token)).body;
    const csv = 'name,email,employeeNumber\n安芸　改名,worker1@aki-joho.example.jp,AK0001\n';
    const r = await http.post(`/api/v1/organizations/${me.organizationId}/workers/import`, csv, manager.body.token, CSV);
    expect(r.body).toMatchObject({ created: 0, unchanged: 1 });
  });
});

/** A database written before migration 1766100000000: its personal columns in the clear. */
describe('migration: personal data written before encryption', () => {
  let t: TestApp;
  const ids = { o: randomUUID(), w: randomUUID(), u: randomUUID() };
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'a4lms-enc-'));
    const pg = process.env.TEST_DATABASE_URL;
    let databaseUrl = `sqlite:${join(dataDir, 'test.sqlite')}`;
    if (pg) {
      const schema = `t_${process.pid}_enc_${Math.random().toString(36).slice(2, 8)}`;
      const admin = await new DataSource({ type: 'postgres', url: pg }).initialize();
      await admin.query(`CREATE SCHEMA "${schema}"`);
      await admin.destroy();
      const u = new URL(pg);
      u.searchParams.set('options', `-c search_path=${schema}`);
      databaseUrl = u.toString();
    }
    const config = loadConfig({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: databaseUrl });
    const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(PersonalDataEncrypted1766100000000));
    const old = await openDatabase({ ...dataSourceOptions(config), migrations: before, entities: [] });
    const q = (sql: string, params: unknown[]) => old.query(portableSql(old, sql), params);
    const now = new Date().toISOString();
    await q('INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)', [ids.o, '株式会社旧データ', now]);
    await q(
      'INSERT INTO workers (id, organization_id, name, email, employee_number, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [ids.w, ids.o, '旧姓　花子', 'old-holder@example.jp', 'E-0001', now, now],
    );
    await q(
      'INSERT INTO users (id, email, display_name, role, password_hash, organization_id, worker_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [ids.u, 'old-holder@example.jp', '旧姓　花子', 'worker', await hashPassword('old-password-2026', 1024), ids.o, ids.w, now],
    );
    await old.destroy();
    t = await createTestApp({ reuse: { config } as TestApp });
  }, 60_000);
  afterAll(() => t?.close());

  it('encrypts the old rows, writes their blind indexes, and the account still signs in', async () => {
    const [w] = await t.query<{ name: string; email: string; employee_number: string; email_index: string }>(
      'SELECT name, email, employee_number, email_index FROM workers WHERE id = ?',
      [ids.w],
    );
    expect([w.name, w.email, w.employee_number].map((v) => DataKeyRing.kidOf(v))).toEqual(Array(3).fill(DATA_KEYS.current().kid));
    expect(w.email_index).toBe(emailIndex('old-holder@example.jp'));
    const [u] = await t.query<{ email: string; display_name: string }>('SELECT email, display_name FROM users WHERE id = ?', [ids.u]);
    expect(DataKeyRing.kidOf(u.email)).toBe(DATA_KEYS.current().kid);
    expect(DataKeyRing.kidOf(u.display_name)).toBe(DATA_KEYS.current().kid);
    const http = client(t.app);
    const r = await http.post('/api/v1/auth/login', { email: 'OLD-holder@example.jp', password: 'old-password-2026' });
    expect(r.status).toBe(200);
    expect(r.body.user.displayName).toBe('旧姓　花子');
  });
});
