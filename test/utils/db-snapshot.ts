import { createHash } from 'node:crypto';
import type { TestApp } from './create-app';

export type Snapshot = Record<string, { rows: number; digest: string }>;

/**
 * Every table of the app's database (SQLite file or PostgreSQL schema): its
 * row count and a SHA-256 of its rows (each row as JSON, sorted), so two
 * snapshots differ exactly when something was written.
 */
export async function snapshotDatabase(t: TestApp): Promise<Snapshot> {
  const pg = t.dataSource.options.type === 'postgres';
  const tables = pg
    ? await t.dataSource.query(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
      )
    : await t.dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`);
  const out: Snapshot = {};
  for (const { name } of tables as { name: string }[]) {
    const rows = (await t.dataSource.query(`SELECT * FROM "${name}"`)) as Record<string, unknown>[];
    const lines = rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v))).sort();
    out[name] = { rows: rows.length, digest: createHash('sha256').update(lines.join('\n')).digest('hex') };
  }
  return out;
}
