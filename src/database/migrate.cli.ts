/*
 * `npm run migration:run`: applies the pending migrations to the database in
 * DATABASE_URL under the same database-wide lock the service takes at start,
 * so it is safe while instances are starting. For operators who migrate as a
 * separate deployment step (docs/operations.md). Exit 0 when the database is
 * up to date, 1 on failure. No Nest here, so it runs fast under ts-node.
 */
import { ConfigError, loadConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { migrate, openDatabase } from './migrate';

async function main(): Promise<void> {
  const ds = await openDatabase(dataSourceOptions(loadConfig()), { runMigrations: false });
  try {
    const ran = await migrate(ds);
    process.stdout.write(
      ran.length ? `Ran ${ran.length} migration(s): ${ran.map((m) => m.name).join(', ')}\n` : 'No migrations are pending\n',
    );
  } finally {
    await ds.destroy();
  }
}

if (require.main === module)
  main().catch((err: unknown) => {
    process.stderr.write(`migration:run failed: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
