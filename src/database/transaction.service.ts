import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The one way to write. TypeORM keeps a single connection for SQLite, so two
 * transactions started by concurrent requests would interleave on it
 * (typeorm#3919, #8668): one's ROLLBACK undoes the other's writes, or BEGIN
 * fails inside an open transaction. On SQLite every write transaction waits
 * its turn in one queue, and takes the database's write lock at BEGIN
 * (locks.ts, beginImmediately), so transactions of other processes on the
 * same file wait for it too (busy timeout); on PostgreSQL each gets its own
 * pooled connection.
 */
@Injectable()
export class TransactionService {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly serialize: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialize = dataSource.options.type === 'better-sqlite3';
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialize) return this.dataSource.transaction(work);
    const result = this.tail.then(() => this.dataSource.transaction(work));
    // The queue advances whether this transaction commits or fails.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
