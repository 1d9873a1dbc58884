import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Municipality } from '../municipalities/municipality.entity';
import { conditionalUpdate } from './conditional-update';
import { dataSourceOptions } from './data-source-options';
import { holdSqliteFileLock } from './locks';
import { migrate, openDatabase } from './migrate';
import { MIGRATIONS } from './migrations';

/*
 * The SQLite side of the database-wide locks, with a second connection to the
 * same file standing in for another process (SQLite's locks hold between
 * connections of one process as between processes). The PostgreSQL side, and
 * both with real processes, are in the multi-instance suite (test/multi).
 */
describe('database locks on SQLite', () => {
  let dir: string;
  let file: string;
  let ds: DataSource;
  /** Another connection to the file that never waits: SQLITE_BUSY at once when the lock is taken. */
  let other: Database.Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'a4-locks-'));
    file = join(dir, 'db.sqlite');
    ds = await openDatabase(dataSourceOptions({ databaseKind: 'sqlite', databaseUrl: `sqlite:${file}`, sqlitePath: file, dataDir: dir }));
    other = new Database(file, { timeout: 0 });
  });

  afterEach(async () => {
    other.close();
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens the database migrated, and a second run under the lock finds nothing pending', async () => {
    expect(await ds.query('SELECT name FROM migrations')).toHaveLength(MIGRATIONS.length);
    expect(await migrate(ds)).toEqual([]);
  });

  it('holds the write lock from the BEGIN of every transaction, before its first statement', async () => {
    let inside!: () => void;
    const entered = new Promise<void>((ok) => (inside = ok));
    let release!: () => void;
    const held = new Promise<void>((ok) => (release = ok));
    const tx = ds.transaction(async () => {
      inside();
      await held;
    });
    await entered;
    // Another writer cannot start: with TypeORM's deferred BEGIN it could, and a read-then-write
    // here would later fail with SQLITE_BUSY_SNAPSHOT instead of waiting.
    expect(() => other.exec('BEGIN IMMEDIATE')).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    release();
    await tx;
    other.exec('BEGIN IMMEDIATE');
    other.exec('ROLLBACK');
  });

  it('lets one holder at a time take a sidecar file lock, and frees it on release', () => {
    const lockFile = `${file}-test.lock`;
    const release = holdSqliteFileLock(lockFile, 0);
    expect(() => holdSqliteFileLock(lockFile, 0)).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    release();
    holdSqliteFileLock(lockFile, 0)();
  });

  it('counts the rows a conditional update changed: the first change 1, the same change again 0', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    await ds.getRepository(Municipality).insert({ id, name: '府中町', code: '343021', createdAt: new Date() });
    const rename = () => ds.transaction((m) => conditionalUpdate(m, Municipality, { id, name: '府中町' }, { name: '海田町' }));
    expect(await rename()).toBe(1);
    expect(await rename()).toBe(0);
  });
});
