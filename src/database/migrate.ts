import { DataSource, DataSourceOptions, Migration } from 'typeorm';
import { beginImmediately, withDatabaseLock } from './locks';

/**
 * Runs the pending migrations under the database-wide `migrations` lock, each
 * in its own transaction. Any number of processes may call it at once on one
 * database: the first runs the migrations, the others wait for the lock, then
 * find nothing pending. Answers the migrations this call ran.
 */
export function migrate(ds: DataSource): Promise<Migration[]> {
  return withDatabaseLock(ds, 'migrations', () => ds.runMigrations({ transaction: 'each' }));
}

/**
 * Connects, makes SQLite transactions take the write lock at BEGIN, and
 * migrates under the lock, before anything else uses the database. What the
 * application (DatabaseModule) and the locked `npm run migration:run` open
 * the database with. A failure closes the connection and is rethrown.
 */
export async function openDatabase(options: DataSourceOptions, { runMigrations = true } = {}): Promise<DataSource> {
  const ds = await new DataSource(options).initialize();
  try {
    beginImmediately(ds);
    if (runMigrations) await migrate(ds);
    return ds;
  } catch (err) {
    await ds.destroy();
    throw err;
  }
}
