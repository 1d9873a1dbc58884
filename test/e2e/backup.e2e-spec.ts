import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditChain } from '../../src/audit/audit-chain';
import { backupSqlite, BackupManifest, restoreSqlite, sha256File } from '../../src/backup/backup';
import { MIGRATIONS } from '../../src/database/migrations';
import { buildWorld, enrolledWorker, login, PASSWORD, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';
import { fetchForVerification, verifyOffline } from '../utils/credentials';
import { client } from '../utils/http';
import { sit } from '../utils/quiz';

const ROOT = join(__dirname, '..', '..');
const KNOWN = MIGRATIONS.map((m) => m.name);

/** SQLite in a folder of our own, whatever TEST_DATABASE_URL says: the backup is of the SQLite file (PostgreSQL: pg_dump). */
const sqliteIn = (dir: string) => ({ DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'article4.sqlite')}` });

describe('backup under load, restore into a fresh folder (issue 22)', () => {
  const dirs = { live: mkdtempSync(join(tmpdir(), 'a4lms-live-')), backup: join(mkdtempSync(join(tmpdir(), 'a4lms-bk-')), 'b1') };
  const restored = mkdtempSync(join(tmpdir(), 'a4lms-restored-'));
  let t: TestApp;
  let w: World;
  let r: TestApp | undefined;
  const serials: string[] = [];
  let manifest: BackupManifest;

  beforeAll(async () => {
    t = await createTestApp({ env: sqliteIn(dirs.live) });
    w = await buildWorld(t);
    for (const [i, name] of ['保存　一郎', '保存　二郎'].entries()) {
      const x = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, name, `backup-${i}@example.jp`);
      await w.http.post(`${w.E}/assignments`, { workerIds: [x.workerId] }, w.managers.prime.token);
      let last;
      for (const m of w.engagement.curriculum as string[]) last = await sit(t, w.http, x.token, m, w.engagement.id);
      serials.push(last!.body.certificate.serial);
    }
  }, 120_000);
  afterAll(async () => {
    await r?.close();
    await t.close();
    for (const d of [dirs.live, join(dirs.backup, '..'), restored]) rmSync(d, { recursive: true, force: true });
  });

  it('copies the live database consistently while sessions and attempts are written', async () => {
    let done = false;
    let writes = 0;
    const writer = async () => {
      const worker = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '書込　三郎', 'writer@example.jp');
      await w.http.post(`${w.E}/assignments`, { workerIds: [worker.workerId] }, w.managers.prime.token);
      const module = (w.engagement.curriculum as string[])[0];
      while (!done || writes < 10) {
        await login(w.http, 'writer@example.jp', PASSWORD); // a session
        await w.http.post(`/api/v1/modules/${module}/attempts`, { engagementId: w.engagement.id }, worker.token); // an attempt
        writes++;
      }
    };
    const writing = writer();
    manifest = await backupSqlite(join(dirs.live, 'article4.sqlite'), dirs.backup, t.config).finally(() => (done = true));
    await writing;
    expect(writes).toBeGreaterThanOrEqual(10);
    expect(manifest.database.sha256).toBe(await sha256File(join(dirs.backup, 'article4.sqlite')));
    expect(manifest.migrations).toEqual(KNOWN);
    expect(readdirSync(dirs.backup).sort()).toEqual(['article4.sqlite', 'manifest.json']);
    expect(manifest.keys.data).toHaveLength(1);
    expect(manifest.keys.signing.length).toBeGreaterThan(0);
    // Fingerprints, never keys: no key file's content is in the manifest.
    const text = readFileSync(join(dirs.backup, 'manifest.json'), 'utf8');
    for (const f of readdirSync(join(dirs.live, 'keys')))
      for (const line of readFileSync(join(dirs.live, 'keys', f), 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('-----')))
        expect(text).not.toContain(line);
    await expect(backupSqlite(join(dirs.live, 'article4.sqlite'), dirs.backup, t.config)).rejects.toThrow(/already holds a backup/);
  });

  it('restores only with the key, only into an empty folder, only an intact backup', async () => {
    await expect(restoreSqlite(dirs.backup, restored, KNOWN)).rejects.toThrow(/no data key/);
    // The operator brings the keys from where they are kept apart.
    cpSync(join(dirs.live, 'keys'), join(restored, 'keys'), { recursive: true });
    const tampered = join(mkdtempSync(join(tmpdir(), 'a4lms-bad-')), 'b');
    cpSync(dirs.backup, tampered, { recursive: true });
    appendFileSync(join(tampered, 'article4.sqlite'), 'x');
    await expect(restoreSqlite(tampered, restored, KNOWN)).rejects.toThrow(/does not match the manifest/);
    await expect(restoreSqlite(dirs.backup, restored, KNOWN.slice(0, -1))).rejects.toThrow(/does not know/);
    await restoreSqlite(dirs.backup, restored, KNOWN);
    expect(readdirSync(restored).sort()).toEqual(['article4.sqlite', 'keys']);
    await expect(restoreSqlite(dirs.backup, restored, KNOWN)).rejects.toThrow(/refuses to overwrite/);
    rmSync(join(tampered, '..'), { recursive: true, force: true });
  });

  it('starts on the restored folder: the audit chain verifies (npm run audit:verify), every certificate verifies online and offline', async () => {
    r = await createTestApp({ env: sqliteIn(restored) });
    expect(await verifyAuditChain(r.dataSource)).toMatchObject({ ok: true });
    const cli = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'), '--transpile-only', 'src/audit/audit-verify.cli.ts'],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, ...sqliteIn(restored) },
        encoding: 'utf8',
      },
    );
    expect([cli.status, cli.stdout]).toEqual([0, expect.stringMatching(/^Audit chain intact: \d+ events/)]);
    const http = client(r.app);
    for (const serial of serials) {
      const online = await http.get(`/api/v1/certificates/${serial}`);
      expect(online.body).toMatchObject({ serial, status: 'valid', holder: { maskedName: '保存 *' } });
      expect(verifyOffline(await fetchForVerification(r, http, serial))).toMatchObject({ code: 0, verdict: { valid: true } });
    }
    // The personal data decrypts with the keys brought along: the manager signs in and sees the names.
    const manager = (await http.post('/api/v1/auth/login', { email: w.managers.prime.email, password: PASSWORD })).body.token;
    const names = (await http.get(`/api/v1/organizations/${w.prime.id}/workers?limit=100`, manager)).body.items.map(
      (x: { name: string }) => x.name,
    );
    expect(names).toEqual(expect.arrayContaining(['保存　一郎', '保存　二郎']));
  }, 120_000);
});
