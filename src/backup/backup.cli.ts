/*
 * `npm run backup -- <folder>`: an online, consistent copy of the SQLite
 * database and its manifest (backup.ts). The keys are not copied: keep them
 * apart (docs/data-protection.md). On PostgreSQL use pg_dump (docs/operations.md).
 * Exit 0 on success, 1 on failure. No Nest here, so it runs fast under ts-node.
 */
import { loadConfig } from '../config/app-config';
import { backupSqlite } from './backup';

async function main(): Promise<void> {
  const folder = process.argv[2];
  if (!folder) throw new Error('usage: npm run backup -- <folder>');
  const config = loadConfig();
  if (config.databaseKind !== 'sqlite')
    throw new Error('DATABASE_URL is PostgreSQL: use pg_dump (docs/operations.md, "Backup and restore")');
  const manifest = await backupSqlite(config.sqlitePath!, folder, config);
  process.stdout.write(
    `Backed up ${manifest.database.bytes} bytes (SHA-256 ${manifest.database.sha256}) to ${folder}; ` +
      `${manifest.migrations.length} migrations; needs data key ${manifest.keys.data[0]}, kept apart from this folder.\n`,
  );
}

if (require.main === module)
  main().catch((err: unknown) => {
    process.stderr.write(`backup failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
