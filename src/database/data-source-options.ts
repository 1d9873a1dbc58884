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
      // The driver creates the folder and turns foreign keys on itself.
      enableWAL: true,
      // Busy timeout: a second process (the CLI, a script) waits for the write lock instead of failing.
      timeout: 5000,
      // With WAL, NORMAL loses no committed data on an application crash, only
      // possibly the last transactions on a power loss; FULL would halve write throughput.
      // secure_delete: a deleted or overwritten value (an erased worker's name, a value re-encrypted
      // under a new key) is zeroed in the file rather than left in a free page.
      prepareDatabase: (db: { pragma(s: string): unknown }) => {
        db.pragma('synchronous = NORMAL');
        db.pragma('secure_delete = ON');
      },
    };
  }
  return { ...common, type: 'postgres', url: config.databaseUrl, extra: { max: 10 } };
}
