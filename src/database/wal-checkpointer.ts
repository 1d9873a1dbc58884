import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Worker } from 'node:worker_threads';

/** How often the checkpointer copies the write-ahead log into the database file, in milliseconds. */
export const CHECKPOINT_INTERVAL_MS = 200;

/** SQLite's own default for `wal_autocheckpoint` (pages), restored if the checkpointer stops. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

/**
 * The worker's whole program. A PASSIVE checkpoint (https://sqlite.org/c3ref/wal_checkpoint_v2.html)
 * copies what it can without waiting for or blocking the main connection's readers and writer; when
 * the log holds nothing new it only reads the WAL index. The main connection restarts the log at its
 * next write once everything was copied, so the file stays small.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true, timeout: 5000 });
db.pragma('synchronous = NORMAL');
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); process.exit(0); });
`;

interface SqliteHandle {
  pragma(source: string, options?: { simple: boolean }): unknown;
  name: string;
  memory: boolean;
  open: boolean;
}

/**
 * Moves SQLite's WAL checkpoints off the event loop. With automatic checkpoints
 * (SQLite's default) the request whose COMMIT takes the log past 1,000 pages copies
 * them into the database file and syncs it, on the main thread, while every other
 * request waits (with automatic checkpoints off, the quiz went from 0.47 to 0.52–0.57 of
 * its bare baseline: README, Performance; issue 17). Here `wal_autocheckpoint` is 0 on the service's connection and a worker
 * thread with a connection of its own runs a PASSIVE checkpoint every
 * CHECKPOINT_INTERVAL_MS. If the worker fails or exits, automatic checkpoints come
 * back (1,000 pages), so the log never grows without bound. Nothing to do on
 * PostgreSQL or an in-memory database. Other processes on the same file that do not
 * start the application (a backup, the migration CLI) keep SQLite's automatic checkpoints.
 */
@Injectable()
export class WalCheckpointer implements OnModuleInit, BeforeApplicationShutdown {
  private readonly log = new Logger('WalCheckpointer');
  private worker?: Worker;
  private stopping = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    if (this.dataSource.options.type !== 'better-sqlite3') return;
    const db = (this.dataSource.driver as unknown as { databaseConnection: SqliteHandle }).databaseConnection;
    if (db.memory) return;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), file: db.name, intervalMs: CHECKPOINT_INTERVAL_MS },
      // A connection and a timer: a small heap is plenty. The young generation's bound only holds without a
      // process-wide `--max-semi-space-size` (package.json's start flag overrides it in every isolate); the
      // worker's garbage (a few hundred bytes a checkpoint) keeps its young generation at 1 MB either way.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
    });
    worker.unref();
    const fallBack = (reason: string) => {
      if (this.stopping || this.worker !== worker) return;
      this.worker = undefined;
      // The service's connection may already be closed (a worker dying during shutdown): nothing to restore then.
      if (!db.open) return;
      this.log.warn(`checkpointer stopped (${reason}); automatic checkpoints again`);
      try {
        db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
      } catch (e) {
        this.log.error(`automatic checkpoints not restored: ${(e as Error).message}`);
      }
    };
    // SQLite's and the worker's messages name files and statements, never rows: safe to log.
    worker.on('error', (e) => fallBack(e.message));
    worker.on('exit', (code) => fallBack(`exit ${code}`));
    this.worker = worker;
    db.pragma('wal_autocheckpoint = 0');
  }

  /**
   * Stops the worker (it closes its connection) before any `onApplicationShutdown` hook runs, TypeORM's
   * that closes the service's connection among them (Nest's lifecycle: every `beforeApplicationShutdown`
   * first). Waits up to 2 s for it to exit, then terminates it.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.stopping = true;
    this.worker = undefined;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('stop');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    await worker.terminate();
  }
}
