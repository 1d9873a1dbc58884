import Database from 'better-sqlite3';
import type { DataSource, EntityManager } from 'typeorm';

/*
 * Database-wide locks, so that several instances of the service (processes,
 * possibly on several machines) sharing one database take turns where
 * turn-taking is the rule: running migrations, creating the first admin and
 * the demo data. A lock, not a retry: whoever comes second waits, then finds
 * the work done.
 *
 * PostgreSQL: advisory locks (https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS),
 * keyed per database; a session-level one is released when its connection
 * closes, so a crashed holder never leaves it taken.
 * SQLite: every write transaction holds the database's write lock from its
 * BEGIN (beginImmediately below), which already orders writers across
 * processes; a longer piece of work that spans several transactions (the
 * migration run) holds an exclusive lock on a sidecar file, which the
 * operating system releases when its process ends.
 */

/** The locks, with their PostgreSQL advisory-lock keys (ASCII of "A4MG", "A4SU"; the audit chain's is in audit.service.ts). */
export const DATABASE_LOCKS = {
  /** Held around a migration run. */
  migrations: 0x41344d47,
  /** Held while creating the first admin or the demo data. */
  setup: 0x41345355,
} as const;

export type DatabaseLock = keyof typeof DATABASE_LOCKS;

/** How long a process waits for a SQLite sidecar lock before giving up (a migration run takes seconds). */
export const SQLITE_LOCK_WAIT_MS = 10 * 60_000;

/**
 * Runs `work` while holding a database-wide lock that spans transactions: on
 * PostgreSQL a session-level advisory lock on a connection of its own (so
 * `work` may use the pool freely), on SQLite an exclusive lock on
 * `<database file>-<lock>.lock`. Waits for as long as another process holds it
 * (PostgreSQL: without limit; SQLite: SQLITE_LOCK_WAIT_MS, then SQLITE_BUSY).
 */
export async function withDatabaseLock<T>(ds: DataSource, lock: DatabaseLock, work: () => Promise<T>): Promise<T> {
  if (ds.options.type === 'postgres') {
    const runner = ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [DATABASE_LOCKS[lock]]);
      try {
        return await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [DATABASE_LOCKS[lock]]);
      }
    } finally {
      await runner.release();
    }
  }
  if (ds.options.type === 'better-sqlite3') {
    const release = holdSqliteFileLock(`${ds.options.database}-${lock}.lock`, SQLITE_LOCK_WAIT_MS);
    try {
      return await work();
    } finally {
      release();
    }
  }
  throw new Error(`withDatabaseLock: unsupported database type ${ds.options.type}`);
}

/**
 * Takes an exclusive lock on `file` (created empty if missing) and answers
 * its release. The file is a SQLite database used only for its lock: SQLite's
 * locking works across processes on one machine and the operating system
 * drops it when the holder dies. Blocks the calling thread while it waits,
 * which is what a starting process wants.
 */
export function holdSqliteFileLock(file: string, timeoutMs: number): () => void {
  const db = new Database(file, { timeout: timeoutMs });
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    throw err;
  }
  return () => {
    db.exec('ROLLBACK');
    db.close();
  };
}

/**
 * Takes a database-wide lock for the rest of the transaction `m` belongs to.
 * PostgreSQL: `pg_advisory_xact_lock`, released at commit or rollback. SQLite:
 * nothing more to take, the transaction already holds the write lock from its
 * BEGIN (beginImmediately).
 */
export async function lockInTransaction(m: EntityManager, lock: DatabaseLock): Promise<void> {
  if (m.connection.options.type === 'postgres') await m.query('SELECT pg_advisory_xact_lock($1)', [DATABASE_LOCKS[lock]]);
}

interface QueryRunnerLike {
  query(sql: string, ...rest: unknown[]): Promise<unknown>;
}

/**
 * Makes every transaction on a SQLite data source start with `BEGIN
 * IMMEDIATE` instead of TypeORM's `BEGIN` (deferred). A deferred transaction
 * that reads, then writes after another process committed, fails at once with
 * SQLITE_BUSY_SNAPSHOT: the busy timeout cannot help, because waiting would
 * not make its snapshot current (https://www.sqlite.org/lang_transaction.html,
 * https://www.sqlite.org/rescode.html#busy_snapshot). Taking the write lock at
 * BEGIN waits (busy timeout) and then reads the latest data, so each write
 * transaction's reads and writes are one atomic step across processes: a
 * check-then-write there cannot be raced by another instance. TypeORM has no
 * option for the BEGIN statement; its better-sqlite3 driver runs every
 * statement through one shared query runner, whose `query` is wrapped here.
 * No effect on other databases.
 */
export function beginImmediately(ds: DataSource): void {
  if (ds.options.type !== 'better-sqlite3') return;
  const runner = ds.createQueryRunner() as unknown as QueryRunnerLike;
  const query = runner.query.bind(runner);
  runner.query = (sql: string, ...rest: unknown[]) => query(sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql, ...rest);
}
