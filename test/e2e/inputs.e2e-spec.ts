import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseCsv } from '../../src/common/csv/csv';
import { buildWorld, corporateNumber, enrolledWorker, makeUser, useWorld, type World } from '../factories/world';
import { sit } from '../utils/quiz';
import { formatSerial, newSerial, serialCheckChar } from '../../src/certificates/credential/serial';
import { NormalizeEmails1765300000000 } from '../../src/database/migrations/1765300000000-NormalizeEmails';
import { createTestApp, type TestApp } from '../utils/create-app';
import { decrypted, emailIndex } from '../../src/database/columns';
import { csrfOf, pageClient } from '../utils/page-client';

/*
 * Issue 15, example by example, with the exact values it names; then the CSV
 * decoding corpus imported through the API. The fuzz suite (fuzz.e2e-spec.ts)
 * covers every POST route with generated bodies.
 */
const CSV = { 'content-type': 'text/csv' };
const JSON_HEADERS = { 'content-type': 'application/json' };
const CORPUS = join(__dirname, '..', 'fixtures', 'csv');

describe('issue 15: every input from outside', () => {
  let t: TestApp;
  let w: World;
  let base: string;
  const log = new PassThrough();
  let logged = '';
  log.on('data', (c) => (logged += c.toString()));

  beforeAll(async () => {
    t = await createTestApp({ env: { LOG_LEVEL: 'info' }, logStream: log });
    w = await buildWorld(t);
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(() => t.close());

  const raw = (method: 'POST' | 'GET', url: string, payload: string | Buffer, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url, payload, headers });
  const errorShape = expect.objectContaining({
    statusCode: 400,
    error: 'Bad Request',
    message: expect.any(String),
    requestId: expect.any(String),
  });

  describe('hostile JSON is a 400 with the error shape before any handler', () => {
    const loneSurrogate = '{"email":"\\ud800","password":"x"}';

    it('a lone surrogate in an e-mail field: API and pages, signed out and in', async () => {
      const anonCsrf = { cookie: `a4_csrf=${'c'.repeat(43)}`, 'x-csrf-token': 'c'.repeat(43) };
      const calls: [string, Record<string, string>][] = [
        ['/api/v1/auth/login', {}],
        ['/api/v1/users', { authorization: `Bearer ${w.admin.token}` }],
        [`/api/v1/organizations/${w.prime.id}/workers`, { authorization: `Bearer ${w.managers.prime.token}` }],
        ['/login', anonCsrf],
        ['/manager/workers', { authorization: `Bearer ${w.managers.prime.token}` }],
      ];
      for (const [url, headers] of calls) {
        const r = await raw('POST', url, loneSurrogate, { ...JSON_HEADERS, ...headers });
        expect([url, r.statusCode]).toEqual([url, 400]);
        expect(r.json()).toEqual(errorShape);
        expect(r.json()).toMatchObject({ code: 'input.lone_surrogate', details: [{ field: 'email' }] });
      }
      // The same in a form: %ED%A0%80 is not UTF-8.
      const form = await raw('POST', '/login', `_csrf=${'c'.repeat(43)}&email=%ED%A0%80&password=x`, {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `a4_csrf=${'c'.repeat(43)}`,
      });
      expect(form.statusCode).toBe(400);
    });

    it('a JSON array nested 5,000 deep, as the body or in a field, on every route the issue names', async () => {
      const deep = '['.repeat(5000) + ']'.repeat(5000);
      const worker = (
        await w.http.post(
          `/api/v1/organizations/${w.prime.id}/workers`,
          { name: '深層　太郎', email: 'deep@example.jp' },
          w.managers.prime.token,
        )
      ).body;
      const calls: [string, string | undefined][] = [
        ['/api/v1/auth/login', undefined],
        ['/api/v1/auth/enroll', undefined],
        ['/api/v1/users', w.admin.token],
        ['/api/v1/municipalities', w.admin.token],
        [`/api/v1/organizations/${w.prime.id}/workers`, w.managers.prime.token],
        [`${w.E}/assignments`, w.managers.prime.token],
        ['/api/v1/modules/basics/attempts', w.managers.prime.token],
        [`/api/v1/attempts/${worker.id}/submission`, w.managers.prime.token],
      ];
      for (const [url, token] of calls)
        for (const body of [deep, `{"answers":${deep}}`]) {
          const r = await raw('POST', url, body, { ...JSON_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) });
          expect([url, r.statusCode, r.json().code]).toEqual([url, 400, 'input.too_deep']);
          expect(r.json()).toEqual(errorShape);
        }
    });
  });

  describe('413 that every client reads', () => {
    /** Sends a request over a real socket, writing the whole body before reading, and returns what came back. */
    function sendWhole(head: string, body: Buffer, chunked = false): Promise<string> {
      const { port } = new URL(base);
      return new Promise((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1');
        let answer = '';
        socket.on('data', (c) => (answer += c.toString('utf8')));
        socket.on('error', reject); // EPIPE or ECONNRESET fails the test
        socket.on('close', () => resolve(answer));
        socket.on('connect', async () => {
          const write = (b: Buffer | string) => new Promise<void>((ok, ko) => socket.write(b, (e) => (e ? ko(e) : ok())));
          try {
            await write(head);
            for (let i = 0; i < body.length; i += 64 * 1024) {
              const part = body.subarray(i, i + 64 * 1024);
              await write(chunked ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]) : part);
            }
            if (chunked) await write('0\r\n\r\n');
            // The whole body is sent; the answer must be there to read.
            setTimeout(() => socket.end(), 200);
          } catch (e) {
            reject(e as Error);
          }
        });
      });
    }

    const body = Buffer.from(`{"email":"a@example.jp","password":"${'x'.repeat(12 * 1024 * 1024)}"}`);

    it('a 12 MiB JSON body to /auth/login with Content-Length: the client sends it all, then reads 413', async () => {
      const answer = await sendWhole(
        `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
        body,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      const json = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
      expect(json).toMatchObject({
        statusCode: 413,
        error: 'Payload Too Large',
        code: 'input.body_too_large',
        requestId: expect.any(String),
      });
    }, 60_000);

    it('the same body sent chunked, without a length', async () => {
      const answer = await sendWhole(
        `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
        body,
        true,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    }, 60_000);

    it('fetch reads it too', async () => {
      const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: JSON_HEADERS, body });
      expect(r.status).toBe(413);
      expect(await r.json()).toMatchObject({ code: 'input.body_too_large' });
    }, 60_000);
  });

  describe('Japanese typing is understood', () => {
    it('the CP932 line ﾅｶﾆｼ ﾕｷ,nakanishi.y@example.jp,E-200 is stored as ﾅｶﾆｼ ﾕｷ', async () => {
      const file = Buffer.concat([
        Buffer.from('name,email,employeeNumber\r\n'),
        Buffer.from('c5b6c6bc20d5b7', 'hex'),
        Buffer.from(',nakanishi.y@example.jp,E-200\r\n'),
      ]);
      const r = await w.http.post(`/api/v1/organizations/${w.subA.id}/workers/import`, file, w.managers.subA.token, CSV);
      expect(r.body).toMatchObject({ created: 1, errorCount: 0 });
      const [row] = await t.query<{ name: string; employee_number: string }>(
        'SELECT name, employee_number FROM workers WHERE email_index = ?',
        [emailIndex('nakanishi.y@example.jp')],
      );
      expect({
        name: decrypted('workers.name', row.name),
        employee_number: decrypted('workers.employee_number', row.employee_number),
      }).toEqual({
        name: 'ﾅｶﾆｼ ﾕｷ',
        employee_number: 'E-200',
      });
    });

    it('an enrollment code typed with ー (U+30FC) and other dashes is accepted, by the API and the page', async () => {
      const add = async (email: string) =>
        (await w.http.post(`/api/v1/organizations/${w.subA.id}/workers`, { name: '長音　記号', email }, w.managers.subA.token)).body
          .enrollmentCode as string;
      const code = await add('choon@example.jp');
      const typed = code.replace(/-/g, 'ー').toLowerCase();
      expect(typed).toMatch(/^[0-9a-z]{4}ー[0-9a-z]{4}ー/);
      const r = await w.http.post('/api/v1/auth/enroll', { enrollmentCode: typed, password: 'a-long-password' });
      expect(r.status).toBe(200);

      const page = pageClient(t.app);
      const code2 = await add('choon2@example.jp');
      const form = await page.get('/enroll');
      const done = await page.post('/enroll', {
        _csrf: csrfOf(form.text),
        enrollmentCode: code2.replace(/-/g, '\uff70').replace(/-/g, '‐'),
        password: 'a-long-password',
        passwordConfirm: 'a-long-password',
      });
      expect(done.status).toBe(303);
    });

    /* What input methods and copy-paste put between (and inside) the groups of a code, each replacing every dash. */
    const TYPED: [string, (code: string) => string][] = [
      ['一 U+4E00 (a Japanese IME’s long dash)', (c) => c.replace(/-/g, '\u4e00')],
      ['～ U+FF5E (the Windows IME’s tilde)', (c) => c.replace(/-/g, '\uff5e')],
      ['a soft hyphen U+00AD', (c) => c.replace(/-/g, '\u00ad')],
      ['a zero-width space U+200B', (c) => c.replace(/-/g, '\u200b')],
      ['a zero-width non-joiner U+200C', (c) => c.replace(/-/g, '\u200c')],
      ['a zero-width joiner U+200D', (c) => c.replace(/-/g, '\u200d')],
      ['a word joiner U+2060', (c) => c.replace(/-/g, '\u2060')],
      ['a BOM U+FEFF, also in front', (c) => `\ufeff${c.replace(/-/g, '\ufeff')}`],
      ['a dash followed by a zero-width space', (c) => c.replace(/-/g, '-\u200b')],
    ];

    it.each(TYPED)('an enrollment code typed with %s is accepted', async (what, type) => {
      const email = `typed-${TYPED.findIndex(([w]) => w === what)}@example.jp`;
      const code = (await w.http.post(`/api/v1/organizations/${w.subA.id}/workers`, { name: '入力　方式', email }, w.managers.subA.token))
        .body.enrollmentCode as string;
      const r = await w.http.post('/api/v1/auth/enroll', { enrollmentCode: type(code), password: 'a-long-password' });
      expect(r.status).toBe(200);
    });

    describe('a certificate serial typed the same ways', () => {
      let serial: string;
      beforeAll(async () => {
        const x = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '連番　入力', 'typed-serial@example.jp');
        await w.http.post(`${w.E}/assignments`, { workerIds: [x.workerId] }, w.managers.prime.token);
        let last: any;
        for (const m of w.engagement.curriculum as string[]) last = await sit(t, w.http, x.token, m, w.engagement.id);
        serial = last.body.certificate.serial;
      }, 60_000);

      it.each(TYPED)('%s: found by the API and the /verify box', async (_what, type) => {
        const typed = type(serial);
        expect(typed).not.toBe(serial);
        const r = await w.http.get(`/api/v1/certificates/${encodeURIComponent(typed)}`);
        expect([r.status, r.body.serial]).toEqual([200, serial]);
        const box = await raw('POST', '/verify', `serial=${encodeURIComponent(typed)}`, {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html',
        });
        expect([box.statusCode, box.headers.location]).toEqual([303, `/verify/${serial}`]);
      });
    });

    it('brings addresses stored before to the same normal form (migration NormalizeEmails)', async () => {
      const a = await makeUser(w.http, w.admin.token, { role: 'org_manager', organizationId: w.subB.id }, 'stored-a');
      const b = await makeUser(w.http, w.admin.token, { role: 'org_manager', organizationId: w.subB.id }, 'stored-b');
      // As API user creation stored them: trimmed and lower-cased only; b's normal form is taken by a.
      await t.query('UPDATE users SET email = ? WHERE id = ?', ['ｓｔｏｒｅｄ＠example。jp', a.id]);
      await t.query('UPDATE users SET email = ? WHERE id = ?', ['stored@example.jp', b.id]);
      // That migration ran before the addresses were encrypted (1766100000000): run here on today's
      // data, it would lower-case the other accounts' ciphertexts, so they are put back after it.
      const others = await t.query<{ id: string; email: string }>('SELECT id, email FROM users WHERE id NOT IN (?, ?)', [a.id, b.id]);
      const normalizeEmails = async () => {
        const runner = t.dataSource.createQueryRunner();
        await new NormalizeEmails1765300000000().up(runner);
        await runner.release();
        for (const o of others) await t.query('UPDATE users SET email = ? WHERE id = ?', [o.email, o.id]);
      };
      await normalizeEmails();
      const rows = await t.query<{ id: string; email: string }>('SELECT id, email FROM users WHERE id IN (?, ?)', [a.id, b.id]);
      expect(Object.fromEntries(rows.map((r) => [r.id, r.email]))).toEqual({
        [a.id]: 'ｓｔｏｒｅｄ＠example。jp',
        [b.id]: 'stored@example.jp',
      });
      await t.query('UPDATE users SET email = ? WHERE id = ?', ['other@example.jp', b.id]);
      await normalizeEmails();
      const [row] = await t.query<{ email: string }>('SELECT email FROM users WHERE id = ?', [a.id]);
      expect(row.email).toBe('stored@example.jp');
      // The blind index, as 1766100000000 writes it.
      await t.query('UPDATE users SET email_index = ? WHERE id = ?', [emailIndex(row.email), a.id]);
      expect(
        (await w.http.post('/api/v1/auth/login', { email: 'ＳＴＯＲＥＤ＠example。jp', password: 'correct-horse-battery' })).status,
      ).toBe(200);
    });

    it('signs in with a full-width e-mail address and surrounding spaces, by the API and the page', async () => {
      const manager = await makeUser(w.http, w.admin.token, { role: 'org_manager', organizationId: w.subB.id }, 'fullwidth');
      const fullWidth = ` ${manager.email.normalize('NFKC').replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))}\u3000`;
      expect(fullWidth).toContain('＠');
      const r = await w.http.post('/api/v1/auth/login', { email: fullWidth, password: 'correct-horse-battery' });
      expect(r.status).toBe(200);
      expect(r.body.user.id).toBe(manager.id);

      const page = pageClient(t.app);
      const form = await page.get('/');
      const done = await page.post('/login', { _csrf: csrfOf(form.text), email: fullWidth, password: 'correct-horse-battery' });
      expect(done.status).toBe(303);
    });
  });

  describe('control characters in names', () => {
    it('NUL, LF and TAB in a worker name: 400 naming the field, from the API and the page; a CSV line refused', async () => {
      for (const c of ['\u0000', '\n', '\t']) {
        const r = await w.http.post(
          `/api/v1/organizations/${w.subA.id}/workers`,
          { name: `制御${c}文字`, email: 'ctl@example.jp' },
          w.managers.subA.token,
        );
        expect(r.status).toBe(400);
        expect(r.body).toMatchObject({ details: [{ field: 'name', messages: ['name must not contain control characters'] }] });
      }
      const page = pageClient(t.app);
      expect((await page.submit('/', '/login', { email: w.managers.subA.email, password: 'correct-horse-battery' })).status).toBe(303);
      const form = await page.get('/manager/workers/new');
      const refused = await page.post('/manager/workers', { _csrf: csrfOf(form.text), name: '制御\u0000文字', email: 'ctl@example.jp' });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('制御文字');

      const csv = Buffer.from(
        'name,email\r\n制御\u0000文字,ctl@example.jp\r\n"改行\n入り",ctl2@example.jp\r\n正常　名前,ctl3@example.jp\r\n',
      );
      const r = await w.http.post(`/api/v1/organizations/${w.subA.id}/workers/import`, csv, w.managers.subA.token, CSV);
      expect(r.body).toMatchObject({ created: 1, errorCount: 2 });
      expect(r.body.errors.map((e: { line: number; code: string; params: unknown }) => [e.line, e.code, e.params])).toEqual([
        [2, 'csv.control_character', { column: 'name' }],
        [3, 'csv.control_character', { column: 'name' }],
      ]);
      const stored = await t.query<{ name: string }>('SELECT name FROM workers');
      expect(stored.filter((s) => [...s.name].some((c) => c.charCodeAt(0) < 0x20))).toEqual([]);
    });
  });

  describe('multi-line fields have line breaks, not the Unicode separators', () => {
    it.each([
      ['U+2028 (line separator)', '\u2028'],
      ['U+2029 (paragraph separator)', '\u2029'],
    ])('a revocation or reinstatement reason with %s: 400 naming the field, before any lookup', async (_what, c) => {
      const serial = newSerial(); // nobody's: a reason that passes would get 404
      for (const action of ['revocation', 'reinstatement']) {
        const url = `/api/v1/certificates/${serial}/${action}`;
        const r = await w.http.post(url, { reason: `一行目${c}二行目` }, w.staff.token);
        expect(r.status).toBe(400);
        expect(r.body).toMatchObject({ details: [{ field: 'reason', messages: ['reason must not contain control characters'] }] });
        // LF and CRLF are the line breaks a multi-line field takes.
        expect((await w.http.post(url, { reason: '一行目\n二行目\r\n三行目' }, w.staff.token)).status).toBe(404);
      }
    });
  });

  describe('CSV answers stay readable whatever the file', () => {
    const lines = (bad: number, good: number) =>
      [
        'name,email,employeeNumber',
        ...Array.from({ length: good }, (_, i) => `良い\u3000${i},good${i}@bulk.example.jp,G${i}`),
        ...Array.from({ length: bad }, (_, i) => `悪い\u3000${i},not-an-email-${i},B${i}`),
      ].join('\r\n') + '\r\n';
    const url = () => `${base}/api/v1/organizations/${w.subA1.id}/workers/import`;
    const headers = () => ({ authorization: `Bearer ${w.managers.subA1.token}`, 'content-type': 'text/csv' });

    it('20,000 bad lines with ?includeCodes=true: a CSV body with every code and the errors as rows, small headers', async () => {
      const r = await fetch(`${url()}?includeCodes=true`, { method: 'POST', headers: headers(), body: lines(20_000, 3) });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/csv');
      expect(r.headers.get('x-import-errors')).toBeNull();
      expect(Object.fromEntries([...r.headers].filter(([k]) => k.startsWith('x-import-')))).toEqual({
        'x-import-created': '3',
        'x-import-updated': '0',
        'x-import-unchanged': '0',
        'x-import-error-count': '20000',
      });
      const rows = parseCsv((await r.text()).replace(/^\uFEFF/, '')).rows;
      expect(rows[0]).toEqual(['name', 'email', 'employeeNumber', 'enrollmentCode', 'expiresAt', 'line', 'errorCode', 'error']);
      const codes = rows.slice(1).filter((x) => x[3]);
      expect(codes.map((x) => [x[0], x[5]])).toEqual([
        ['良い\u30000', '2'],
        ['良い\u30001', '3'],
        ['良い\u30002', '4'],
      ]);
      const errors = rows.slice(1).filter((x) => x[5] && x[6]);
      // The first 1,000 refused lines in detail; the header counts them all, and so does the body's last row.
      expect(errors).toHaveLength(1000);
      expect(errors[0].slice(5)).toEqual(['5', 'csv.email_invalid', 'email is not an e-mail address']);
      expect(rows).toHaveLength(1 + 3 + 1000 + 1);
      expect(rows[rows.length - 1]).toEqual([
        '',
        '',
        '',
        '',
        '',
        '',
        'csv.errors_not_listed',
        '19000 more refused lines are not listed: only the first 1000 of 20000 are. Fix the listed lines and import again.',
      ]);
    }, 60_000);

    it('the same as JSON when the client asks for it', async () => {
      const r = await fetch(`${url()}?includeCodes=true`, {
        method: 'POST',
        headers: { ...headers(), accept: 'application/json' },
        body: lines(20_000, 2),
      });
      expect(r.status).toBe(200);
      const body = (await r.json()) as { codes: unknown[]; errors: unknown[] };
      expect(body).toMatchObject({ created: 0, errorCount: 20_000 });
      // Reissued for the two not yet enrolled: the codes are all there.
      expect(body.codes).toHaveLength(2);
      expect(body.errors).toHaveLength(1000);
      expect(body.errors[999]).toMatchObject({ line: 1003, code: 'csv.email_invalid' });
    }, 60_000);

    it('and without includeCodes, JSON as before', async () => {
      const r = await fetch(url(), { method: 'POST', headers: headers(), body: lines(20_000, 0) });
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ created: 0, errorCount: 20_000 });
    }, 60_000);
  });

  describe('the public /verify box', () => {
    it('takes the typed text by POST: a serial goes to its page, anything else is answered in place, and the log keeps none of it', async () => {
      const typed = 'yamada.taro@example.jp';
      logged = '';
      const posted = await raw('POST', '/verify', `serial=${encodeURIComponent(typed)}`, {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
      });
      expect(posted.statusCode).toBe(400);
      expect(posted.headers.location).toBeUndefined();
      expect(posted.body).toContain(`value="${typed}"`);
      const viaQuery = await raw('GET', `/verify?serial=${encodeURIComponent(typed)}`, '', { accept: 'text/html' });
      expect(viaQuery.statusCode).toBe(400);
      expect(viaQuery.headers.location).toBeUndefined();
      // Typed into the address bar: the path holds it, the log does not.
      await raw('GET', `/verify/${encodeURIComponent(typed)}`, '', { accept: 'text/html' });

      const serial = 'abcd efgh jkmn';
      const real = formatSerial('ABCDEFGHJKMN' + serialCheckChar('ABCDEFGHJKMN'));
      const wrongCheck = real.endsWith('Z') ? 'Y' : 'Z';
      const check = await raw('POST', '/verify', `serial=ABCDEFGHJKMN${wrongCheck}`, {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
      });
      expect(check.statusCode).toBe(400); // shaped like a serial, wrong check character: said on the same page
      const good = await raw('POST', '/verify', `serial=${encodeURIComponent(`${serial} ${real.slice(-1)}`.replace(/ /g, 'ー'))}`, {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
      });
      expect(good.statusCode).toBe(303);
      expect(good.headers.location).toBe(`/verify/${real}`);

      await new Promise((res) => setImmediate(res));
      expect(logged).toContain('"path":"/verify"');
      expect(logged).toContain('"path":"/verify/:serial"');
      expect(logged).not.toContain('yamada');
      expect(logged).not.toContain('example.jp');
    });
  });
});

describe('the CSV decoding corpus, imported through the API', () => {
  let t: TestApp;
  let w: World;
  useWorld((app, world) => ([t, w] = [app, world]));

  const files = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.expected.json'))
    .map((f) => ({
      file: readdirSync(CORPUS).find((g) => !/\.(json|md)$/.test(g) && g.replace(/\.[a-z]+$/, '') === f.replace('.expected.json', ''))!,
      expected: JSON.parse(readFileSync(join(CORPUS, f), 'utf8')),
    }));
  let seq = 100;

  it.each(files)('$file', async ({ file, expected }) => {
    // A fresh organization each: the corpus repeats addresses.
    const org = (
      await w.http.post('/api/v1/organizations', { name: `コーパス${seq}`, corporateNumber: corporateNumber(++seq) }, w.admin.token)
    ).body;
    const manager = await makeUser(w.http, w.admin.token, { role: 'org_manager', organizationId: org.id }, `corpus-${seq}`);
    const url = `/api/v1/organizations/${org.id}/workers/import?includeCodes=true`;
    const bytes = readFileSync(join(CORPUS, file));
    const r = await w.http.post(url, bytes, manager.token, { ...CSV, accept: 'application/json' });
    if (expected.refused) {
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: expected.refused.code, details: [{ field: 'body' }] });
      const [{ n }] = await t.query('SELECT COUNT(*) AS n FROM workers WHERE organization_id = ?', [org.id]);
      expect(Number(n)).toBe(0);
      return;
    }
    expect(r.status).toBe(200);
    const names = expected.rows.map((x: { name: string }) => x.name);
    expect(r.body.codes.map((c: { name: string }) => c.name)).toEqual(names);
    const stored = await t.query<{ name: string; email: string; employee_number: string | null }>(
      'SELECT name, email, employee_number FROM workers WHERE organization_id = ?',
      [org.id],
    );
    const byEmail = (a: { email: string }, b: { email: string }) => (a.email < b.email ? -1 : 1);
    const plain = stored.map((x) => ({
      name: decrypted('workers.name', x.name),
      email: decrypted('workers.email', x.email),
      employeeNumber: decrypted('workers.employee_number', x.employee_number),
    }));
    expect(plain.sort(byEmail)).toEqual([...expected.rows].sort(byEmail));
    // Round trip: the same file again changes nothing.
    const again = await w.http.post(`/api/v1/organizations/${org.id}/workers/import`, bytes, manager.token, CSV);
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: names.length, errorCount: 0 });
  });
});
