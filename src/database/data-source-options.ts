import { DataSourceOptions } from 'typeorm';
import { installDataKeys } from '../common/crypto/data-keys';
import { AppConfig } from '../config/app-config';
import { BlindIndexSubscriber } from './blind-index.subscriber';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/**
 * One place that turns DATABASE_URL into TypeORM options, for the app, the CLI and the tests.
 * Migrations are not run on connect: openDatabase() (migrate.ts) runs them under a database-wide lock.
 * Loads the data keys first (DATA_ENCRYPTION_KEY or the key files in DATA_DIR, the first created
 * here): the encrypted columns and the migration that encrypts old rows need them.
 */
export function dataSourceOptions(
  config: Pick<AppConfig, 'databaseKind' | 'databaseUrl' | 'sqlitePath' | 'dataDir'> &
    Partial<Pick<AppConfig, 'dataEncryptionKey' | 'dataEncryptionPreviousKeys'>>,
): DataSourceOptions {
  installDataKeys(config);
  const common = {
    entities: ENTITIES,
    subscribers: [BlindIndexSubscriber],
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: false,
  };
  if (config.databaseKind === 'sqlite') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: config.sqlitePath!,
      // The driver creates the folder and turns foreign keys on itself; WAL is ours (below), not the driver's
      // `enableWAL`, whose single try fails when several instances open a fresh file at once.
      enableWAL: false,
      // Busy timeout: a second process (the CLI, a script) waits for the write lock instead of failing.
      timeout: 5000,
      prepareDatabase: (db: SqlitePragmas) => {
        useWal(db);
        // With WAL, NORMAL loses no committed data on an application crash, only
        // possibly the last transactions on a power loss; FULL would halve write throughput.
        db.pragma('synchronous = NORMAL');
        // secure_delete: a deleted or overwritten value (an erased worker's name, a value re-encrypted
        // under a new key) is zeroed in the file rather than left in a free page.
        db.pragma('secure_delete = ON');
      },
    };
  }
  return { ...common, type: 'postgres', url: config.databaseUrl, extra: { max: 10 } };
}

interface SqlitePragmas {
  pragma(source: string, options?: { simple: boolean }): unknown;
}

/**
 * Turns on write-ahead logging, retrying while another process holds the
 * file. Changing the journal mode needs the database to itself, and SQLite
 * answers SQLITE_BUSY at once, without calling the busy handler, when another
 * connection is opening or migrating the same fresh file (several instances
 * starting together: the multi-instance suite). WAL is persistent, so only
 * the first change does any work; later opens find it set.
 * @throws the driver's error when the file stays busy for `waitMs` (5 s), or any other error
 */
export function useWal(db: SqlitePragmas, waitMs = 5000): void {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      if (db.pragma('journal_mode', { simple: true }) === 'wal') return;
      db.pragma('journal_mode = WAL');
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > until) throw e;
      // A synchronous pause (the driver calls this synchronously): 20 ms, a few times at most.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}
