/*
 * `npm run audit:verify`: walks the audit chain of the database in
 * DATABASE_URL and reports the first broken link. Exit 0 when intact, 1 when
 * broken, 2 when it could not check. No Nest here, so it runs fast under ts-node.
 */
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { AppConfig, ConfigError, loadConfig } from '../config/app-config';
import { dataSourceOptions } from '../database/data-source-options';
import { verifyAuditChain } from './audit-chain';

async function main(): Promise<number> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (config.sqlitePath && !existsSync(config.sqlitePath)) {
    process.stderr.write(`No database at ${config.sqlitePath} (set DATABASE_URL)\n`);
    return 2;
  }
  // Read only: never migrate a database from here.
  const ds = await new DataSource({ ...dataSourceOptions(config), migrationsRun: false }).initialize();
  try {
    const report = await verifyAuditChain(ds);
    if (report.ok) {
      process.stdout.write(`Audit chain intact: ${report.count} events\n`);
      return 0;
    }
    process.stdout.write(`Audit chain BROKEN at event #${report.brokenAt}: ${report.reason}\n`);
    return 1;
  } finally {
    await ds.destroy();
  }
}

if (require.main === module)
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`audit:verify failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
