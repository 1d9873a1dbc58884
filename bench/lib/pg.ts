import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { openDatabase } from '../../src/database/migrate';

/*
 * The data set on PostgreSQL, for the verification and quiz workloads there:
 * the cached SQLite data set copied into a schema of its own (`bench_<key>`)
 * of the given database, migrated by the application's own migrations, then
 * every table's rows copied over, except the history of attempts and
 * completions (2.5 million rows that only the tracking workloads read, and
 * those run on SQLite). Kept between runs: a schema whose copy finished is
 * reused as it is.
 */

/** The URL with `search_path` set to `schema` (what the service and the baseline connect with). */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

const SKIPPED = new Set(['migrations', 'attempts', 'completions', 'sqlite_sequence']);
const ROWS_PER_INSERT = 500;

export async function pgDataset(pgUrl: string, sqliteFile: string, key: string): Promise<{ url: string; cached: boolean }> {
  const schema = `bench_${key}`;
  const url = withSearchPath(pgUrl, schema);
  const admin = new Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    const ready = await admin.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [
      schema,
      'bench_ready',
    ]);
    if (ready.rowCount) return { url, cached: true };
    // Older copies (other keys) go: one data set at a time.
    const old = await admin.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_%'");
    for (const r of old.rows as { nspname: string }[]) await admin.query(`DROP SCHEMA "${r.nspname}" CASCADE`);
    await admin.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await admin.end();
  }
  // The data keys of this process (the seeded data set's personal columns are encrypted with DATA_ENCRYPTION_KEY by the service).
  const keysDir = mkdtempSync(join(tmpdir(), 'a4-bench-pg-'));
  const ds = await openDatabase({ ...dataSourceOptions({ databaseKind: 'postgres', databaseUrl: url, dataDir: keysDir }), logging: false });
  await ds.destroy();

  const lite = new Database(sqliteFile, { readonly: true });
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    await pg.query('BEGIN');
    // Foreign keys unchecked while tables fill in no particular order (the SQLite copy was checked when it was made).
    await pg.query('SET LOCAL session_replication_role = replica');
    const tables = (lite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[])
      .map((t) => t.name)
      .filter((t) => !SKIPPED.has(t));
    for (const table of tables) {
      const columns = (lite.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name);
      const boolean = new Set(
        (
          await pg.query(
            'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND data_type = $3',
            [schema, table, 'boolean'],
          )
        ).rows.map((r: { column_name: string }) => r.column_name),
      );
      let batch: unknown[][] = [];
      const flush = async () => {
        if (!batch.length) return;
        const values = batch.map((_, i) => `(${columns.map((__, j) => `$${i * columns.length + j + 1}`).join(', ')})`).join(', ');
        await pg.query(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${values}`, batch.flat());
        batch = [];
      };
      for (const row of lite.prepare(`SELECT * FROM "${table}"`).iterate() as IterableIterator<Record<string, unknown>>) {
        batch.push(columns.map((c) => (boolean.has(c) && row[c] !== null ? row[c] === 1 || row[c] === true : row[c])));
        if (batch.length === ROWS_PER_INSERT) await flush();
      }
      await flush();
    }
    await pg.query('CREATE TABLE bench_ready (at text)');
    await pg.query('COMMIT');
    await pg.query('ANALYZE');
  } catch (e) {
    await pg.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await pg.end();
    lite.close();
  }
  return { url, cached: false };
}
