import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { portableSql } from '../../src/database/portable-sql';
import { configureApp, createAdapter } from '../../src/app.setup';
import { AppConfig, loadConfig } from '../../src/config/app-config';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  dataSource: DataSource;
  /** Raw SQL with `?` placeholders on either database. */
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  close(opts?: { keepData?: boolean }): Promise<void>;
}

/**
 * The real application (same configureApp as main.ts, real migrations) on a
 * fresh temporary SQLite file, or on a fresh schema of TEST_DATABASE_URL.
 */
export async function createTestApp(
  options: {
    env?: Record<string, string>;
    logStream?: DestinationStream;
    reuse?: TestApp;
    /** Called with every route Fastify registers (the fuzz suite enumerates the POST routes this way). */
    onRoute?: (route: { method: string | string[]; url: string }) => void;
    /** Called with the URL of every request that reaches Fastify's hooks (past the public front). */
    onRequest?: (url: string) => void;
  } = {},
): Promise<TestApp> {
  const pg = process.env.TEST_DATABASE_URL;
  const dataDir = options.reuse?.config.dataDir ?? mkdtempSync(join(tmpdir(), 'a4lms-'));
  const schema = options.reuse ? undefined : pg ? `t_${process.pid}_${Math.random().toString(36).slice(2, 8)}` : undefined;
  if (schema) await withPg(pg!, (ds) => ds.query(`CREATE SCHEMA "${schema}"`));
  const databaseUrl = options.reuse?.config.databaseUrl ?? (pg ? withSearchPath(pg, schema!) : `sqlite:${join(dataDir, 'test.sqlite')}`);
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: databaseUrl, ...options.env });

  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(config, options.logStream), { logger: false });
  const onRoute = options.onRoute;
  if (onRoute)
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRoute', (r) => onRoute({ method: r.method, url: r.url }));
  const onRequest = options.onRequest;
  if (onRequest)
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRequest', (req, _reply, done) => {
        onRequest(req.url);
        done();
      });
  await configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const dataSource = app.get(DataSource);
  return {
    app,
    config,
    dataSource,
    query: (sql, params) => dataSource.query(portableSql(dataSource, sql), params),
    /** Stops the app; with keepData the database and DATA_DIR stay for a `reuse` app (a restart). */
    async close(opts: { keepData?: boolean } = {}) {
      await app.close();
      if (opts.keepData) return;
      if (pg) {
        const s = new URL(databaseUrl).searchParams.get('options')!.split('=')[1];
        await withPg(pg, (ds) => ds.query(`DROP SCHEMA "${s}" CASCADE`));
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

async function withPg<T>(url: string, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = await new DataSource({ type: 'postgres', url }).initialize();
  try {
    return await work(ds);
  } finally {
    await ds.destroy();
  }
}
