import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { CHECKPOINT_INTERVAL_MS, WalCheckpointer } from '../../src/database/wal-checkpointer';
import { createTestApp, TestApp } from '../utils/create-app';

/** SQLite in a folder of our own, whatever TEST_DATABASE_URL says: checkpoints are SQLite's write-ahead log. */
describe('WAL checkpoints on a worker thread (issue 17)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'a4lms-wal-'));
  const file = join(dir, 'article4.sqlite');
  let t: TestApp;
  const pragma = (source: string) =>
    (t.dataSource.driver as unknown as { databaseConnection: Database.Database }).databaseConnection.pragma(source, { simple: true });
  /** What the database file alone holds, without its log: a copy opened read-only, the log left behind. */
  const committedToFile = (sql: string) => {
    const copy = join(dir, `copy-${Math.random().toString(36).slice(2)}.sqlite`);
    copyFileSync(file, copy);
    const db = new Database(copy, { readonly: true });
    try {
      return db.prepare(sql).pluck().get();
    } catch {
      return undefined; // the file has not even received the schema yet
    } finally {
      db.close();
      rmSync(copy, { force: true });
    }
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { DATA_DIR: dir, DATABASE_URL: `sqlite:${file}` } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('turns automatic checkpoints off on the service connection and copies a small commit into the file within a few intervals', async () => {
    expect(pragma('wal_autocheckpoint')).toBe(0);
    const name = `checkpointed ${Date.now()}`;
    await t.query(`INSERT INTO municipalities (id, name, code, created_at) VALUES (?, ?, ?, ?)`, [
      '00000000-0000-4000-8000-00000000c0c0',
      name,
      '990001',
      new Date().toISOString(),
    ]);
    // One row is a few pages: SQLite's automatic checkpoint would leave it in the log until 1,000 pages.
    let found = 0;
    for (let i = 0; i < 25 && !found; i++) {
      await sleep(CHECKPOINT_INTERVAL_MS);
      found = (committedToFile(`SELECT count(*) FROM municipalities WHERE name = '${name}'`) as number | undefined) ?? 0;
    }
    expect(found).toBe(1);
  });

  it('gives the checkpoints back to SQLite (1,000 pages) when the worker dies', async () => {
    const worker = (t.app.get(WalCheckpointer) as unknown as { worker: { terminate(): Promise<number> } }).worker;
    await worker.terminate();
    for (let i = 0; i < 50 && pragma('wal_autocheckpoint') === 0; i++) await sleep(20);
    expect(pragma('wal_autocheckpoint')).toBe(1000);
  });
});
