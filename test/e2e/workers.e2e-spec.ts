import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as iconv from 'iconv-lite';
import { parseCsv } from '../../src/common/csv/csv';
import { buildWorld, enrolledWorker, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', name));
const CSV = { 'content-type': 'text/csv' };

describe('workers, CSV import and assignments', () => {
  let t: TestApp;
  let w: World;
  const log = new PassThrough();
  let logged = '';
  log.on('data', (c) => (logged += c.toString()));

  beforeAll(async () => {
    t = await createTestApp({ env: { LOG_LEVEL: 'info' }, logStream: log });
    w = await buildWorld(t);
  });
  afterAll(() => t.close());

  const importUrl = (orgId: string, q = '') => `/api/v1/organizations/${orgId}/workers/import${q}`;

  it('imports the Shift_JIS file Excel writes, full-width names and e-mails included', async () => {
    const r = await w.http.post(importUrl(w.prime.id), fixture('workers-sjis.csv'), w.managers.prime.token, CSV);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ created: 6, updated: 0, errors: [] });
    const list = await w.http.get(`/api/v1/organizations/${w.prime.id}/workers?limit=500`, w.managers.prime.token);
    const expected = JSON.parse(fixture('workers-sjis.expected.json').toString('utf8')) as { name: string; email: string }[];
    const names = list.body.items.map((x: any) => x.name);
    for (const e of expected) expect(names).toContain(e.name);
    // ｔａｎａｋａ＠ｅｘａｍｐｌｅ．ｊｐ arrives as an ordinary address.
    expect(list.body.items.map((x: any) => x.email)).toContain('tanaka@example.jp');
  });

  it('updates on re-import instead of duplicating, matching on e-mail', async () => {
    const again = await w.http.post(importUrl(w.prime.id), fixture('workers-sjis.csv'), w.managers.prime.token, CSV);
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 6 });
    const renamed = '\uFEFFname,email,employeeNumber\r\n山田　太郎（改）,yamada@example.jp,E9999\r\n';
    const r = await w.http.post(importUrl(w.prime.id), renamed, w.managers.prime.token, CSV);
    expect(r.body).toMatchObject({ created: 0, updated: 1 });
    const list = await w.http.get(`/api/v1/organizations/${w.prime.id}/workers?limit=500`, w.managers.prime.token);
    const yamada = list.body.items.filter((x: any) => x.email === 'yamada@example.jp');
    expect(yamada).toEqual([expect.objectContaining({ name: '山田　太郎（改）', employeeNumber: 'E9999' })]);
  });

  it('reports each bad line by number and writes the good ones whole', async () => {
    const csv = [
      '氏名,メールアドレス,社員番号',
      '良い　一,good1@example.jp,G1',
      ',noname@example.jp,G2',
      '悪い　メール,not-an-email,G3',
      '"引用, 付き",quoted@example.jp,G4',
      '重複　さん,good1@example.jp,G5',
      '',
    ].join('\n');
    const r = await w.http.post(importUrl(w.subA.id), Buffer.from(csv, 'utf8'), w.managers.subA.token, CSV);
    expect(r.status).toBe(200);
    expect(r.body.created).toBe(2);
    // Each refused line: its first problem's code and parameters, all its problems, and the English words (kept for API clients).
    const refused = (line: number, code: string, params: Record<string, unknown>, message: string) => ({
      line,
      code,
      params,
      message,
      problems: [{ code, params }],
    });
    expect(r.body.errors).toEqual([
      refused(3, 'csv.name_empty', {}, 'name is empty'),
      refused(4, 'csv.email_invalid', {}, 'email is not an e-mail address'),
      refused(6, 'csv.email_repeats', { line: 2 }, 'email repeats line 2'),
    ]);
    expect(r.body.errorCount).toBe(3);
    expect(JSON.stringify(r.body)).not.toContain('not-an-email');
  });

  it('refuses a file that is not CSV or has no usable header', async () => {
    const bad = await w.http.post(importUrl(w.subA.id), 'name,email\n"unterminated,x@example.jp\n', w.managers.subA.token, CSV);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('body');
    const noHeader = await w.http.post(importUrl(w.subA.id), 'foo,bar\n1,2\n', w.managers.subA.token, CSV);
    expect(noHeader.status).toBe(400);
    expect(noHeader.body).toMatchObject({ code: 'csv.header_missing', details: [{ field: 'body', code: 'csv.header_missing' }] });
    const json = await w.http.post(importUrl(w.subA.id), { name: 'x' }, w.managers.subA.token);
    expect(json.status).toBe(400);
  });

  it('hands out enrollment codes as CSV, and they work', async () => {
    const csv = iconv.encode('name,email\r\n髙橋　二郎,jiro@example.jp\r\n', 'cp932');
    const r = await w.http.post(importUrl(w.subA.id, '?includeCodes=true'), csv, w.managers.subA.token, CSV);
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toContain('text/csv');
    const rows = parseCsv(r.text.replace(/^\uFEFF/, '')).rows;
    expect(rows[0]).toEqual(['name', 'email', 'employeeNumber', 'enrollmentCode', 'expiresAt', 'line', 'errorCode', 'error']);
    expect(r.headers).toMatchObject({ 'x-import-created': '1', 'x-import-error-count': '0', 'cache-control': 'no-store' });
    const jiro = rows.find((x) => x[1] === 'jiro@example.jp')!;
    expect(jiro[0]).toBe('髙橋　二郎');
    // Re-issuing invalidates the code just handed out.
    const reissued = await w.http.post(`/api/v1/organizations/${w.subA.id}/workers/enrollment-codes`, undefined, w.managers.subA.token);
    const newRow = parseCsv(reissued.text.replace(/^\uFEFF/, '')).rows.find((x) => x[1] === 'jiro@example.jp')!;
    expect(newRow[3]).not.toBe(jiro[3]);
    expect((await w.http.post('/api/v1/auth/enroll', { enrollmentCode: jiro[3], password: 'a-long-password' })).status).toBe(400);
    expect((await w.http.post('/api/v1/auth/enroll', { enrollmentCode: newRow[3], password: 'a-long-password' })).status).toBe(200);
  });

  it('imports 10,000 rows and never logs an e-mail address', async () => {
    const lines = ['name,email,employeeNumber'];
    for (let i = 0; i < 10_000; i++) lines.push(`従事者\u3000${i},bulk${i}@example.jp,B${i}`);
    logged = '';
    const r = await w.http.post(importUrl(w.subA1.id), lines.join('\r\n'), w.managers.subA1.token, CSV);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ created: 10_000, errors: [] });
    const [{ n }] = await t.query('SELECT COUNT(*) AS n FROM workers WHERE organization_id = ?', [w.subA1.id]);
    expect(Number(n)).toBe(10_000);
    const page = await w.http.get(`/api/v1/organizations/${w.subA1.id}/workers?limit=500`, w.managers.subA1.token);
    expect(page.body.items).toHaveLength(500);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    // Cursors go into URLs: they carry no name.
    expect(Buffer.from(page.body.nextCursor, 'base64url').toString('utf8')).not.toContain('従事者');
    const next = await w.http.get(
      `/api/v1/organizations/${w.subA1.id}/workers?limit=500&cursor=${page.body.nextCursor}`,
      w.managers.subA1.token,
    );
    expect(next.body.items[0].name > page.body.items[499].name || next.body.items[0].name === page.body.items[499].name).toBe(true);
    expect(new Set([...page.body.items, ...next.body.items].map((x: any) => x.id)).size).toBe(1000);
    await new Promise((res) => setImmediate(res));
    expect(logged).toContain('request completed');
    expect(logged).not.toMatch(/@example\.jp|@test\.example\.jp/);
    expect(logged).not.toContain('従事者');
  });

  it('re-imports a file of known and new rows across the import pages: exact counts, one invitation per new worker, one audit event', async () => {
    // 1,500 rows (three pages of 500): the first 1,000 workers of the file above, every third renamed, and
    // 500 new ones interleaved, so each page mixes updates, unchanged rows and inserts.
    const lines = ['name,email,employeeNumber'];
    for (let i = 0; i < 1_000; i++) {
      lines.push(`${i % 3 === 0 ? '改名' : '従事者'}\u3000${i},bulk${i}@example.jp,B${i}`);
      if (i % 2 === 0) lines.push(`新規\u3000${i},fresh${i}@example.jp,F${i}`);
    }
    const invitationsBefore = Number((await t.query("SELECT COUNT(*) AS n FROM mail_outbox WHERE kind = 'worker_invitation'"))[0].n);
    const r = await w.http.post(importUrl(w.subA1.id), lines.join('\r\n'), w.managers.subA1.token, CSV);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ created: 500, updated: 334, unchanged: 666, errorCount: 0 });
    const [{ n }] = await t.query('SELECT COUNT(*) AS n FROM workers WHERE organization_id = ?', [w.subA1.id]);
    expect(Number(n)).toBe(10_500);
    const invitationsAfter = Number((await t.query("SELECT COUNT(*) AS n FROM mail_outbox WHERE kind = 'worker_invitation'"))[0].n);
    expect(invitationsAfter - invitationsBefore).toBe(500);
    const events = await t.query("SELECT details FROM audit_events WHERE action = 'workers.imported' ORDER BY seq DESC LIMIT 1");
    expect(JSON.parse(events[0].details)).toEqual({ created: 500, updated: 334, unchanged: 666, errors: 0, codesIssued: 0 });
  });

  it('assigns only workers of an organization in the engagement tree', async () => {
    const a = await w.http.post(
      `/api/v1/organizations/${w.subA.id}/workers`,
      { name: '配置　一郎', email: 'assign1@example.jp' },
      w.managers.subA.token,
    );
    const r = await w.http.post(`${w.E}/assignments`, { workerIds: [a.body.id] }, w.managers.subA.token);
    expect(r.status).toBe(200);
    expect(r.body.assigned).toEqual([a.body.id]);
    expect((await w.http.post(`${w.E}/assignments`, { workerIds: [a.body.id] }, w.managers.subA.token)).status).toBe(200); // idempotent
    // Another organization's manager cannot assign them…
    expect((await w.http.post(`${w.E}/assignments`, { workerIds: [a.body.id] }, w.managers.prime.token)).status).toBe(404);
    // …and an organization outside the tree cannot assign its own.
    const x = await w.http.post(
      `/api/v1/organizations/${w.outsider.id}/workers`,
      { name: '外部　者', email: 'outsider@example.jp' },
      w.managers.outsider.token,
    );
    // Not on the engagement: answered like an unknown engagement (API.md: 404, not 409).
    expect((await w.http.post(`${w.E}/assignments`, { workerIds: [x.body.id] }, w.managers.outsider.token)).status).toBe(404);
    expect((await w.http.post(`${w.E}/assignments`, { workerIds: [] }, w.managers.subA.token)).status).toBe(400);
  });

  it('lets a worker see the engagement once assigned', async () => {
    const wk = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '見る　人', 'viewer@example.jp');
    expect((await w.http.get(w.E, wk.token)).status).toBe(404);
    await w.http.post(`${w.E}/assignments`, { workerIds: [wk.workerId] }, w.managers.prime.token);
    expect((await w.http.get(w.E, wk.token)).status).toBe(200);
  });
});
