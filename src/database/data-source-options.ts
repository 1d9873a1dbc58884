import { DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/**
 * One place that turns DATABASE_URL into TypeORM options, for the app, the CLI and the tests.
 * Migrations are not run on connect: openDatabase() (migrate.ts) runs them under a database-wide lock.
 */
export function dataSourceOptions(config: Pick<AppConfig, 'databaseKind' | 'databaseUrl' | 'sqlitePath'>): DataSourceOptions {
  const common = {
    entities: ENTITIES,
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
      prepareDatabase: (db: { pragma(s: string): unknown }) => void db.pragma('synchronous = NORMAL'),
    };
  }
  return { ...common, type: 'postgres', url: config.databaseUrl, extra: { max: 10 } };
}
