import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDataKeys } from '../common/crypto/data-keys';

/*
 * Backup and restore of the SQLite database (docs/operations.md, "Backup and
 * restore"; PostgreSQL: pg_dump / PITR, described there). A backup is a folder:
 *
 *   article4.sqlite   the database, copied online by SQLite's backup API
 *                     (consistent while the service keeps writing)
 *   manifest.json     its SHA-256, the migrations it has, the fingerprints of
 *                     the keys it needs (never a key)
 *
 * The keys are kept apart from the data (Article 3-2: a stolen backup without
 * the keys holds no name or address): back up DATA_DIR/keys, or the
 * DATA_ENCRYPTION_KEY and SIGNING_KEY_PEM values, somewhere else.
 */

export const BACKUP_FILE = 'article4.sqlite';
export const MANIFEST_FILE = 'manifest.json';

export interface BackupManifest {
  format: 'article4-lms-backup/1';
  createdAt: string;
  database: { file: string; bytes: number; sha256: string };
  /** The migrations the database has, in order. */
  migrations: string[];
  keys: {
    /** Ids of the data keys (src/common/crypto/field-cipher.ts) loaded when the backup was taken, the current one first. */
    data: string[];
    /** RFC 7638 thumbprints of the signing keys the database publishes (the JWKS). */
    signing: string[];
  };
}

export class BackupError extends Error {}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Copies the live database at `sqlitePath` into `folder` (created; it must not
 * hold a backup already) with better-sqlite3's `backup()`, which copies pages
 * in steps and restarts when another connection writes, so the copy is one
 * consistent state; then writes the manifest.
 * @throws BackupError when the folder already holds a backup or the database is missing
 */
export async function backupSqlite(
  sqlitePath: string,
  folder: string,
  keySource: { dataDir: string; dataEncryptionKey?: string; dataEncryptionPreviousKeys?: string[] },
): Promise<BackupManifest> {
  if (!existsSync(sqlitePath)) throw new BackupError(`no database at ${sqlitePath}`);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const target = join(folder, BACKUP_FILE);
  if (existsSync(target) || existsSync(join(folder, MANIFEST_FILE))) throw new BackupError(`${folder} already holds a backup`);
  const db = new Database(sqlitePath, { fileMustExist: true, timeout: 5000 });
  try {
    await db.backup(target);
  } finally {
    db.close();
  }
  // Read-write, so that closing it removes the -wal and -shm files a WAL-mode database opens with.
  const copy = new Database(target, { fileMustExist: true });
  let migrations: string[];
  let signing: string[];
  try {
    migrations = (copy.prepare('SELECT name FROM migrations ORDER BY id').all() as { name: string }[]).map((r) => r.name);
    signing = (copy.prepare('SELECT kid FROM signing_keys ORDER BY created_at').all() as { kid: string }[]).map((r) => r.kid);
  } finally {
    copy.close();
  }
  const { current, others } = loadDataKeys(keySource, { create: false });
  const manifest: BackupManifest = {
    format: 'article4-lms-backup/1',
    createdAt: new Date().toISOString(),
    database: { file: BACKUP_FILE, bytes: (await stat(target)).size, sha256: await sha256File(target) },
    migrations,
    keys: { data: [current.kid, ...others.map((k) => k.kid)], signing },
  };
  await writeFile(join(folder, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  return manifest;
}

/**
 * Restores a backup folder into `dataDir`, which must hold nothing but (optionally) the `keys`
 * folder, put there from the key backup first: checks the manifest's digest, that this release knows
 * every migration the backup has (`knownMigrations`), and that the data key the backup was written
 * under is available (DATA_ENCRYPTION_KEY or `dataDir/keys`), then copies the database in under a
 * temporary name, checks the copy's digest and SQLite's integrity check, and renames it into place.
 * Never overwrites.
 * @throws BackupError naming what is wrong
 */
export async function restoreSqlite(
  folder: string,
  dataDir: string,
  knownMigrations: string[],
  keySource: { dataEncryptionKey?: string; dataEncryptionPreviousKeys?: string[] } = {},
): Promise<BackupManifest> {
  const manifest = JSON.parse(await readFile(join(folder, MANIFEST_FILE), 'utf8')) as BackupManifest;
  if (manifest.format !== 'article4-lms-backup/1') throw new BackupError('not an article4-lms backup manifest');
  const source = join(folder, manifest.database.file);
  if ((await sha256File(source)) !== manifest.database.sha256) throw new BackupError(`${source} does not match the manifest's SHA-256`);
  const unknown = manifest.migrations.filter((m) => !knownMigrations.includes(m));
  if (unknown.length)
    throw new BackupError(`the backup has migrations this release does not know (${unknown.join(', ')}): restore it with a newer release`);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const present = (await readdir(dataDir)).filter((n) => n !== 'keys');
  if (present.length) throw new BackupError(`${dataDir} is not empty (${present.join(', ')}): restore refuses to overwrite`);
  let loaded: string[];
  try {
    const { current, others } = loadDataKeys({ dataDir, ...keySource }, { create: false });
    loaded = [current.kid, ...others.map((k) => k.kid)];
  } catch (e) {
    throw new BackupError(`no data key: ${(e as Error).message}`);
  }
  const needed = manifest.keys.data[0];
  if (needed && !loaded.includes(needed))
    throw new BackupError(`the backup needs data key ${needed}; put its key file in ${join(dataDir, 'keys')} or set DATA_ENCRYPTION_KEY`);
  const target = join(dataDir, BACKUP_FILE);
  const tmp = `${target}.restoring`;
  await copyFile(source, tmp);
  try {
    if ((await sha256File(tmp)) !== manifest.database.sha256) throw new BackupError('the copy does not match the manifest');
    const db = new Database(tmp, { fileMustExist: true });
    try {
      const [check] = db.pragma('integrity_check') as { integrity_check: string }[];
      if (check.integrity_check !== 'ok') throw new BackupError(`integrity check: ${check.integrity_check}`);
    } finally {
      db.close();
    }
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    for (const side of ['-wal', '-shm']) await rm(`${tmp}${side}`, { force: true });
  }
  return manifest;
}
