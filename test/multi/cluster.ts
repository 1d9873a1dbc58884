import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataKey, DataKeyRing } from '../../src/common/crypto/field-cipher';
import { portableSql } from '../../src/database/portable-sql';

/*
 * Real service processes (`node dist/main.js`, built once by `npm run
 * test:multi`) on one database, for the multi-instance suite: a fresh SQLite
 * file, or with TEST_DATABASE_URL a fresh PostgreSQL database on that server
 * (named a4_multi_…, dropped afterwards). Every process gets its own free
 * port on 127.0.0.1, the same DATABASE_URL, SIGNING_KEY_PEM and
 * PUBLIC_BASE_URL, and a watchdog (watchdog.js) so that none outlives the run.
 */

export const ROOT = join(__dirname, '..', '..');
export const ADMIN = { email: 'admin@multi.example.jp', password: 'admin-password-123' };
export const PG_URL = process.env.TEST_DATABASE_URL;
export const KIND = PG_URL ? 'postgres' : 'sqlite';

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** One data encryption key for every instance of the run (docs/data-protection.md). */
const DATA_ENCRYPTION_KEY = randomBytes(32).toString('base64');
const dataKeys = new DataKeyRing();
dataKeys.add([], dataKey(Buffer.from(DATA_ENCRYPTION_KEY, 'base64')));

/** The plain text of an encrypted column's value read from the cluster's database (`context`: `<table>.<column>`). */
export const plain = (context: string, value: string): string => dataKeys.decrypt(value, context);

/** One SIGNING_KEY_PEM for every instance of the run, as a deployment shares one. */
const SIGNING_KEY_PEM = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/** A database no instance has touched yet, and a way to read it from the test. */
export interface FreshDatabase {
  url: string;
  dir: string;
  /** SQL with `?` placeholders on either database. */
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Closes the test's connection and removes the database. */
  drop(): Promise<void>;
}

let dbSeq = 0;

export async function freshDatabase(): Promise<FreshDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'a4-multi-'));
  let url: string;
  let name: string | undefined;
  if (PG_URL) {
    name = `a4_multi_${process.pid}_${++dbSeq}`;
    await withPg(PG_URL, (ds) => ds.query(`CREATE DATABASE "${name}"`));
    const u = new URL(PG_URL);
    u.pathname = `/${name}`;
    url = u.toString();
  } else {
    url = `sqlite:${join(dir, 'article4.sqlite')}`;
  }
  let reader: DataSource | undefined;
  const open = async () => {
    reader ??= await new DataSource(
      PG_URL
        ? { type: 'postgres', url, extra: { max: 2 } }
        : { type: 'better-sqlite3', database: url.slice('sqlite:'.length), timeout: 5000 },
    ).initialize();
    return reader;
  };
  return {
    url,
    dir,
    async query(sql, params = []) {
      const ds = await open();
      return ds.query(portableSql(ds, sql), params);
    },
    async drop() {
      await reader?.destroy();
      if (PG_URL) await withPg(PG_URL, (ds) => ds.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function withPg<T>(url: string, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = await new DataSource({ type: 'postgres', url }).initialize();
  try {
    return await work(ds);
  } finally {
    await ds.destroy();
  }
}

export interface Instance {
  name: string;
  url: string;
  pid: number;
  logFile: string;
  child: ChildProcess;
  /** Resolves when the process has ended: its exit code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  log(): string;
}

/** Environment every instance of a cluster shares: only what docs/operations.md says instances must share. */
export function sharedEnv(db: FreshDatabase, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: db.url,
    SIGNING_KEY_PEM,
    DATA_ENCRYPTION_KEY,
    PUBLIC_BASE_URL: 'https://lms.multi.example.jp',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    // The cheapest password hashing the configuration allows: the suite is about concurrency, not hashing.
    PASSWORD_HASH_MEMORY_KIB: '1024',
    LOG_LEVEL: 'warn',
    A4_WATCHDOG_MS: String(10 * 60_000),
    ...extra,
  };
}

/** Spawns one instance with its own port and DATA_DIR; does not wait for it. */
export async function spawnInstance(name: string, db: FreshDatabase, env: NodeJS.ProcessEnv, args: string[] = []): Promise<Instance> {
  const port = await freePort();
  const dataDir = join(db.dir, name);
  const logFile = join(db.dir, `${name}.log`);
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['-r', join(__dirname, 'watchdog.js'), join(ROOT, 'dist', 'main.js'), ...args], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  children.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      ok({ code, signal });
    }),
  );
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    logFile,
    child,
    exited,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
  };
}

/** Waits until GET /readyz answers 200; fails with the instance's log if it exits first or takes longer than `timeoutMs`. */
export async function waitReady(i: Instance, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (i.child.exitCode !== null || i.child.signalCode !== null)
      throw new Error(`${i.name} exited (${i.child.exitCode ?? i.child.signalCode}) before it was ready:\n${tail(i.log())}`);
    if (Date.now() > deadline) throw new Error(`${i.name} was not ready within ${timeoutMs / 1000} s:\n${tail(i.log())}`);
    try {
      if ((await fetch(`${i.url}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM, then the exit; SIGKILL if it has not ended after `graceMs`. */
export async function stop(i: Instance, graceMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill('SIGTERM');
  const t = setTimeout(() => i.child.kill('SIGKILL'), graceMs);
  try {
    return await i.exited;
  } finally {
    clearTimeout(t);
  }
}

/** Starts `n` instances at the same moment on `db` and waits until each is ready. */
export async function startCluster(n: number, db: FreshDatabase, env: NodeJS.ProcessEnv, args: string[] = []): Promise<Instance[]> {
  const instances = await Promise.all(Array.from({ length: n }, (_, k) => spawnInstance(`i${k}`, db, env, args)));
  try {
    await Promise.all(instances.map((i) => waitReady(i)));
  } catch (err) {
    await Promise.all(instances.map((i) => stop(i, 5000)));
    throw err;
  }
  return instances;
}

export const tail = (text: string, lines = 40) => text.split('\n').slice(-lines).join('\n');

export interface Res<T = any> {
  status: number;
  body: T;
}

/** JSON over real HTTP to one instance. */
export async function call<T = any>(i: Instance, method: string, path: string, body?: unknown, token?: string): Promise<Res<T>> {
  const r = await fetch(`${i.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: r.status, body: parsed as T };
}

/** Fails with the answer when the status is not the expected one. */
export async function expectStatus<T = any>(res: Promise<Res<T>>, status: number, what: string): Promise<T> {
  const r = await res;
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Runs `work` over `items` with at most `limit` at a time, answers in order. */
export async function inBatches<I, O>(items: I[], limit: number, work: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const out: O[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const k = next++;
        out[k] = await work(items[k], k);
      }
    }),
  );
  return out;
}
