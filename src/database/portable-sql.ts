import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * One SQL text for both databases: written with `?` placeholders (SQLite's),
 * numbered `$1, $2, …` for PostgreSQL. For the hot reads that skip the
 * query builder; the statement text must have no `?` other than placeholders.
 */
export function portableSql(db: DataSource, sql: string): string {
  if (db.options.type !== 'postgres') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** `?, ?, ?` for an IN list of `n` values. */
export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

interface SqliteStatement {
  iterate(...params: unknown[]): IterableIterator<unknown>;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

/** Prepared statements of the hot reads, per SQLite connection, by their text (a handful: only constant SQL comes here). */
const prepared = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

/**
 * The first row of a read, or undefined: for the hottest lookups (the public
 * certificate verification). On SQLite a prepared better-sqlite3 statement,
 * kept and reused (`sql` must be a constant text, not one built per call),
 * read synchronously: no query runner, no logging wrapper, no parse per call;
 * on PostgreSQL a named query on the pool (prepared once per connection).
 * Outside any transaction, like `db.query`.
 */
export async function queryOne<R>(db: DataSource, sql: string, params: unknown[]): Promise<R | undefined> {
  const statement = sqliteStatement(db, sql);
  if (statement) return statement.get(...params) as R | undefined;
  return (await queryAll<R>(db, sql, params))[0];
}

/**
 * Every row of a read, like `db.query`, through the same kept prepared
 * statements on SQLite (for reads repeated page after page with the same
 * text: an export's detail, whose IN lists have one length but the last).
 */
export async function queryAll<R>(db: DataSource, sql: string, params: unknown[]): Promise<R[]> {
  const statement = sqliteStatement(db, sql);
  if (statement) return statement.all(...params) as R[];
  if (db.options.type === 'postgres') {
    // A named query: node-postgres prepares it once per pooled connection and reuses it (no parse or plan per call).
    const text = portableSql(db, sql);
    const pool = (db.driver as unknown as { master: PgPool }).master;
    return (await pool.query<R>({ name: `a4_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text, values: params })).rows;
  }
  return (await db.query(portableSql(db, sql), params)) as R[];
}

interface PgPool {
  query<R>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: R[] }>;
}

/** At most this many kept statements per connection; past it the cache starts again (only a few texts recur). */
const MAX_PREPARED = 64;

function sqliteStatement(db: DataSource, sql: string): SqliteStatement | undefined {
  if (db.options.type !== 'better-sqlite3') return undefined;
  const connection = (db.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
  let statements = prepared.get(connection);
  if (!statements || statements.size >= MAX_PREPARED) prepared.set(connection, (statements = new Map()));
  let statement = statements.get(sql);
  if (!statement) statements.set(sql, (statement = connection.prepare(sql)));
  return statement;
}

/** Rows fetched per round trip from a PostgreSQL cursor: bounds what one read holds at a time. */
export const CURSOR_BATCH = 500;

/**
 * Hands each row of a read to `each` without holding the whole result. On
 * SQLite through better-sqlite3's statement iterator, synchronously (no other
 * statement can interleave on the shared connection meanwhile), so each row
 * is garbage as soon as it is used: a 100,000-row report allocates rows one
 * at a time, not an array of them. On PostgreSQL through a server-side
 * cursor (`DECLARE … NO SCROLL CURSOR`, `FETCH FORWARD 500`) in a read
 * transaction of its own: at most CURSOR_BATCH rows are held at once, and
 * every row comes from the one snapshot the cursor was declared on.
 * `each` must be synchronous.
 */
export async function forEachRow<R>(db: DataSource, sql: string, params: unknown[], each: (row: R) => void): Promise<void> {
  if (db.options.type === 'better-sqlite3') {
    const connection = (db.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
    for (const row of connection.prepare(sql).iterate(...params)) each(row as R);
    return;
  }
  if (db.options.type !== 'postgres') {
    for (const row of (await db.query(portableSql(db, sql), params)) as R[]) each(row);
    return;
  }
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    await runner.query(`DECLARE a4_rows NO SCROLL CURSOR FOR ${portableSql(db, sql)}`, params);
    for (;;) {
      const rows = (await runner.query(`FETCH FORWARD ${CURSOR_BATCH} FROM a4_rows`)) as R[];
      for (const row of rows) each(row);
      if (rows.length < CURSOR_BATCH) break;
    }
    await runner.commitTransaction();
  } catch (e) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw e;
  } finally {
    await runner.release();
  }
}
