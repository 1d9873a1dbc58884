import type { EntityManager, EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * A state change as one statement, `UPDATE … SET <set> WHERE <where>`, with
 * the expected current state in `where` (`{ id, status: 'pending_approval' }`).
 * Answers the number of rows it changed: 0 means another transaction (on this
 * instance or another) changed the state first, and the caller answers 409.
 * Correct under concurrency on both databases without a prior read or a lock:
 * on PostgreSQL (READ COMMITTED) a second UPDATE of the same row waits for
 * the first to commit, then re-checks its WHERE against the committed row
 * (https://www.postgresql.org/docs/15/transaction-iso.html#XACT-READ-COMMITTED);
 * on SQLite write transactions hold the database's write lock from BEGIN
 * (locks.ts, beginImmediately).
 */
export async function conditionalUpdate<E extends ObjectLiteral>(
  m: EntityManager,
  target: EntityTarget<E>,
  where: FindOptionsWhere<E>,
  set: QueryDeepPartialEntity<E>,
): Promise<number> {
  const { affected } = await m.update(target, where, set);
  // Both drivers report it (better-sqlite3 `changes`, pg `rowCount`); a driver that did not would make every change look lost.
  if (affected === undefined || affected === null) throw new Error('conditionalUpdate: the driver did not report the affected rows');
  return affected;
}
