import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createTestApp, TestApp } from '../utils/create-app';

describe('foundation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers /healthz and /readyz', async () => {
    const h = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(h.statusCode).toBe(200);
    expect(h.json()).toEqual({ status: 'ok' });
    const r = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(r.statusCode).toBe(200);
  });

  it('reports 503 on /readyz when a migration is pending', async () => {
    await t.dataSource.undoLastMigration();
    try {
      const r = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    } finally {
      await t.dataSource.runMigrations();
    }
  });

  it('serves a valid OpenAPI 3 document and the UI', async () => {
    const doc = await t.app.inject({ method: 'GET', url: '/api/docs-json' });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().openapi).toMatch(/^3\./);
    expect(Object.keys(doc.json().paths)).toContain('/healthz');
    const ui = await t.app.inject({ method: 'GET', url: '/api/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });

  it('answers unknown API routes with a JSON 404 in the error shape', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/no-such-thing' });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ statusCode: 404, error: 'Not Found', requestId: expect.any(String) });
  });

  it('echoes a well-formed request id and sets security headers', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(r.headers['x-request-id']).toBe('abc-123');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const bad = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id\u00e9' } });
    expect(bad.headers['x-request-id']).not.toBe('bad id\u00e9');
  });

  it('runs SQLite in WAL mode with foreign keys on', async () => {
    if (t.config.databaseKind !== 'sqlite') return expect(t.config.databaseKind).toBe('postgres');
    expect(await t.dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await t.dataSource.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
  });
});

describe('start-up configuration', () => {
  it('stops with one line naming PORT when PORT is not a number', () => {
    const r = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-e', "require('./src/config/app-config').loadConfig()"],
      {
        cwd: join(__dirname, '..', '..'),
        env: { ...process.env, PORT: 'abc' },
        encoding: 'utf8',
      },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/PORT/);
  });
});
