import { newSerial } from '../../src/certificates/credential/serial';
import { buildWorld, useWorld, enrolledWorker, PASSWORD, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';
import { csrfOf, pageClient, PageClient, signedIn } from '../utils/page-client';
import { answerKey, sit } from '../utils/quiz';

/** Page tests through Fastify inject: sessions, CSRF, language, and each role's forms. */
describe('web pages', () => {
  let t: TestApp;
  let w: World;

  useWorld((app, world) => ([t, w] = [app, world]));

  const signIn = (email: string, password = PASSWORD): Promise<PageClient> => signedIn(t.app, email, password);

  describe('signing in', () => {
    it('shows the sign-in page in Japanese with lang set, security headers and no inline script or style', async () => {
      const b = pageClient(t.app);
      const r = await b.get('/');
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toContain('text/html');
      expect(r.text).toContain('<html lang="ja">');
      expect(r.text).toContain('ログイン');
      for (const id of ['email', 'password']) expect(r.text).toContain(`<label for="${id}">`);
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=/i);
      expect(b.jar.get('a4_csrf')).toBeTruthy();
      const css = await b.get('/assets/app.css');
      expect(css.status).toBe(200);
      expect(css.headers['content-type']).toContain('text/css');
    });

    it('signs in with the session cookie and sends each role to its home', async () => {
      const b = pageClient(t.app);
      const r = await b.submit('/', '/login', { email: w.staff.email, password: PASSWORD });
      expect(r.status).toBe(303);
      expect(r.location).toBe('/');
      const cookie = ([] as string[]).concat(r.headers['set-cookie'] as string[]).find((c) => c.startsWith('a4_session='))!;
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      expect((await b.get('/')).location).toBe('/town');
      const home = await b.get('/town');
      expect(home.status).toBe(200);
      expect(home.text).toContain('住民情報システム運用保守業務');
      // The same cookie works for the API, as the accounts issue promised.
      const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `a4_session=${b.jar.get('a4_session')}` } });
      expect(me.json()).toMatchObject({ role: 'town_staff' });

      const manager = await signIn(w.managers.prime.email);
      expect((await manager.get('/')).location).toBe('/manager');
    });

    it('shows a wrong password next to the form, in the language chosen', async () => {
      const b = pageClient(t.app);
      const r = await b.submit('/', '/login', { email: w.staff.email, password: 'wrong-password-1' });
      expect(r.status).toBe(401);
      expect(r.text).toContain('メールアドレスまたはパスワードが正しくありません');
      expect(r.text).toContain(`value="${w.staff.email}"`);
      const invalid = await b.submit('/', '/login', { email: 'not-an-email', password: '' });
      expect(invalid.status).toBe(400);
      expect(invalid.text).toMatch(/id="email-error"[^>]*>.*メールアドレスの形式/);
      expect(invalid.text).toContain('aria-invalid="true"');
    });

    it('sends a signed-out browser to the sign-in page, and an API client a JSON 401', async () => {
      const b = pageClient(t.app);
      const page = await b.get('/town');
      expect(page.status).toBe(303);
      expect(page.location).toBe('/');
      const json = await t.app.inject({ method: 'GET', url: '/town', headers: { accept: 'application/json' } });
      expect(json.statusCode).toBe(401);
      expect(json.json()).toMatchObject({ statusCode: 401 });
      const stale = await t.app.inject({ method: 'GET', url: '/learn', headers: { accept: 'text/html', cookie: 'a4_session=nonsense' } });
      expect(stale.statusCode).toBe(303);
      expect(String(stale.headers['set-cookie'])).toMatch(/a4_session=;/);
    });

    it('signs out: the session is revoked', async () => {
      const b = await signIn(w.managers.subB.email);
      const token = b.jar.get('a4_session')!;
      const out = await b.submit('/manager', '/logout', {});
      expect(out.status).toBe(303);
      expect(out.location).toBe('/?signedOut=1');
      expect((await b.get('/?signedOut=1')).text).toContain('ログアウトしました');
      const api = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      expect(api.statusCode).toBe(401);
    });
  });

  describe('CSRF', () => {
    it('refuses a sign-in form without the token, or with a token not matching the cookie', async () => {
      const b = pageClient(t.app);
      await b.get('/');
      const none = await b.post('/login', { email: w.staff.email, password: PASSWORD });
      expect(none.status).toBe(403);
      expect(none.text).toContain('フォームの有効期限が切れました');
      const other = pageClient(t.app);
      const token = csrfOf((await other.get('/')).text);
      const forged = await b.post('/login', { _csrf: token, email: w.staff.email, password: PASSWORD });
      expect(forged.status).toBe(403);
      expect(b.jar.has('a4_session')).toBe(false);
    });

    it('binds signed-in forms to the session: no token, another session’s token, or the pre-sign-in token are refused', async () => {
      const b = await signIn(w.managers.prime.email);
      const mine = csrfOf((await b.get('/manager/workers/new')).text);
      const fields = { name: '越境　太郎', email: 'csrf-test@example.jp' };
      expect((await b.post('/manager/workers', fields)).status).toBe(403);
      const other = await signIn(w.managers.prime.email);
      const theirs = csrfOf((await other.get('/manager/workers/new')).text);
      expect(theirs).not.toBe(mine);
      expect((await b.post('/manager/workers', { ...fields, _csrf: theirs })).status).toBe(403);
      expect((await b.post('/manager/workers', { ...fields, _csrf: b.jar.get('a4_csrf') ?? 'x' })).status).toBe(403);
      // A JSON/script client without the token gets JSON.
      const r = await t.app.inject({
        method: 'POST',
        url: '/manager/workers',
        headers: {
          cookie: `a4_session=${b.jar.get('a4_session')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        payload: new URLSearchParams(fields).toString(),
      });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ statusCode: 403 });
      const ok = await b.post('/manager/workers', { ...fields, _csrf: mine });
      expect(ok.status).toBe(303);
    });
  });

  describe('language', () => {
    it('switches to English, remembers it in a cookie and sets <html lang>', async () => {
      const b = await signIn(w.staff.email);
      const sw = await b.get('/lang/en?next=/town/approvals');
      expect(sw.status).toBe(303);
      expect(sw.location).toBe('/town/approvals');
      expect(String(sw.headers['set-cookie'])).toMatch(/lang=en;.*Max-Age|lang=en;.*Expires/i);
      const page = await b.get('/town/approvals');
      expect(page.text).toContain('<html lang="en">');
      expect(page.text).toContain('Subcontractor approvals');
      expect(page.text).toContain('href="/lang/ja?next=/town/approvals"');
      // Later pages, and pages after signing in again, stay English.
      expect((await b.get('/town')).text).toContain('<html lang="en">');
      const back = await b.get('/lang/ja?next=/town');
      expect(back.location).toBe('/town');
      expect((await b.get('/town')).text).toContain('<html lang="ja">');
      // Only local paths are followed.
      expect((await b.get('/lang/en?next=//evil.example/')).location).toBe('/');
      expect((await b.get('/lang/en?next=https://evil.example/')).location).toBe('/');
    });

    it('shows validation messages in English when English is chosen', async () => {
      const b = pageClient(t.app);
      await b.get('/lang/en?next=/');
      const r = await b.submit('/', '/login', { email: 'nope', password: 'x' });
      expect(r.text).toContain('<html lang="en">');
      expect(r.text).toContain('Enter an e-mail address');
    });
  });

  describe('worker', () => {
    let b: PageClient;

    beforeAll(async () => {
      const created = await w.http.post(
        `/api/v1/organizations/${w.prime.id}/workers`,
        { name: '頁　受講者', email: 'page-trainee@example.jp' },
        w.managers.prime.token,
      );
      await w.http.post(`${w.E}/assignments`, { workerIds: [created.body.id] }, w.managers.prime.token);
      b = pageClient(t.app);
      const page = await b.get('/enroll');
      expect(page.text).toContain('<label for="enrollmentCode">');
      const mismatch = await b.post('/enroll', {
        _csrf: csrfOf(page.text),
        enrollmentCode: created.body.enrollmentCode,
        password: 'a-long-password',
        passwordConfirm: 'different-one',
      });
      expect(mismatch.status).toBe(400);
      expect(mismatch.text).toContain('確認用のパスワードが一致しません');
      const r = await b.submit('/enroll', '/enroll', {
        enrollmentCode: created.body.enrollmentCode.toLowerCase(),
        password: 'a-long-password',
        passwordConfirm: 'a-long-password',
      });
      expect(r.status).toBe(303);
      expect(b.jar.get('a4_session')).toBeTruthy();
      const again = await pageClient(t.app).submit('/enroll', '/enroll', {
        enrollmentCode: created.body.enrollmentCode,
        password: 'a-long-password',
        passwordConfirm: 'a-long-password',
      });
      expect(again.status).toBe(400);
      expect(again.text).toContain('この登録コードは使えません');
    });

    it('lists my engagements with what is left to do', async () => {
      const home = await b.get('/learn');
      expect(home.status).toBe(200);
      expect(home.text).toContain('住民情報システム運用保守業務');
      expect(home.text).toMatch(/残り \d+ 単元/);
      expect(home.text).toContain(`href="/learn/${w.engagement.id}/basics"`);
    });

    it('serves the lesson, and a quiz page that carries no hint of the answers', async () => {
      const lesson = await b.get(`/learn/${w.engagement.id}/basics`);
      expect(lesson.status).toBe(200);
      expect(lesson.text).toMatch(/<h1>特記事項の基本と教育の義務<\/h1>/);
      const start = await b.submit(`/learn/${w.engagement.id}/basics`, `/learn/${w.engagement.id}/basics/attempts`, {});
      expect(start.status).toBe(303);
      const attemptId = /^\/quiz\/([0-9a-f-]{36})$/.exec(start.location!)![1];
      const quiz = await b.get(start.location!);
      expect(quiz.status).toBe(200);
      const html = quiz.text;
      expect(html).not.toMatch(/correct|explanation|正解|解説|isRight|data-/i);
      const key = await answerKey(t, attemptId);
      // Before submission the result page (which shows the key) is not served: it leads back to the quiz.
      expect((await b.get(`/quiz/${attemptId}/result`)).location).toBe(`/quiz/${attemptId}`);
      // Every choice, right or wrong, is rendered by the same markup: only its opaque key differs.
      for (const [qid, k] of key) {
        for (const c of [...k.correct, ...k.wrong]) {
          const input = new RegExp(`<input type="(radio|checkbox)" id="c-${c}" name="q_${qid}" value="${c}">`);
          expect(html).toMatch(input);
        }
        expect(html).toContain(`type="${k.correct.length > 1 ? 'checkbox' : 'radio'}" id="c-${k.correct[0]}"`);
      }
      // Unanswered questions are named next to themselves.
      const partial = await b.post(`/quiz/${attemptId}`, {
        _csrf: csrfOf(html),
        [`q_${[...key.keys()][0]}`]: [...key.values()][0].correct,
      });
      expect(partial.status).toBe(400);
      // Once beside each question, once in the error summary at the top, which links to its first choice.
      expect(partial.text.match(/<p class="field__error"[^>]*>この問題に回答してください/g)).toHaveLength(key.size - 1);
      const summary = partial.text.slice(partial.text.indexOf('class="error-summary"'));
      expect(
        summary.slice(0, summary.indexOf('</div>')).match(/<li><a href="#c-[^"]+">問\d+ この問題に回答してください[^<]*<\/a><\/li>/g),
      ).toHaveLength(key.size - 1);
      expect(partial.text).toMatch(/<title>エラー: /);
      expect(partial.text).toContain('checked');
      // Answer right: redirect to the result, which explains each question.
      const answers = Object.fromEntries([...key].map(([qid, k]) => [`q_${qid}`, k.correct]));
      const submitted = await b.post(`/quiz/${attemptId}`, { _csrf: csrfOf(html), ...answers });
      expect(submitted.status).toBe(303);
      expect(submitted.location).toBe(`/quiz/${attemptId}/result`);
      const result = await b.get(submitted.location!);
      expect(result.status).toBe(200);
      expect(result.text).toContain('合格です');
      expect(result.text.match(/class="card review__item review__item--right"/g)).toHaveLength(key.size);
      expect(result.text).toContain('解説');
      // Right answers: the choice made is the correct one, marked as both.
      expect(result.text.match(/review__choice review__choice--correct review__choice--chosen/g)!.length).toBeGreaterThanOrEqual(key.size);
      expect(result.text).not.toMatch(/class="review__choice review__choice--chosen"/);
      // The quiz page of a submitted attempt leads to its result; a reload posts nothing twice.
      expect((await b.get(`/quiz/${attemptId}`)).location).toBe(`/quiz/${attemptId}/result`);
      expect((await b.post(`/quiz/${attemptId}`, { _csrf: csrfOf(html), ...answers })).location).toBe(`/quiz/${attemptId}/result`);
      expect((await b.get('/learn')).text).toMatch(/修了 1 \/ \d+ 単元/);
    });

    it('shows a failed attempt with each question marked wrong', async () => {
      const start = await b.submit(`/learn/${w.engagement.id}/confidentiality`, `/learn/${w.engagement.id}/confidentiality/attempts`, {});
      const attemptId = start.location!.split('/')[2];
      const quiz = await b.get(start.location!);
      const key = await answerKey(t, attemptId);
      const answers = Object.fromEntries([...key].map(([qid, k]) => [`q_${qid}`, k.wrong[0]]));
      const r = await b.post(`/quiz/${attemptId}`, { _csrf: csrfOf(quiz.text), ...answers });
      const result = await b.get(r.location!);
      expect(result.text).toContain('不合格でした');
      expect(result.text.match(/review__item--wrong/g)).toHaveLength(key.size);
      // Each wrong answer teaches: the worker's own choice and the correct one(s) are marked in words
      // (and a sign), not by colour alone, next to the explanation.
      const items = result.text.split('class="card review__item ').slice(1);
      expect(items).toHaveLength(key.size);
      for (const [i, [, k]] of [...key].entries()) {
        const item = items[i];
        expect(item.match(/review__tag--chosen">あなたの回答</g)).toHaveLength(1);
        expect(item.match(/review__tag--correct">正しい選択肢</g)).toHaveLength(k.correct.length);
        expect(item.match(/class="review__choice review__choice--chosen"/g)).toHaveLength(1);
        expect(item.match(/<span class="review__mark" aria-hidden="true">✓<\/span>/g)).toHaveLength(k.correct.length);
        expect(item).toContain('<p class="review__label">解説</p>');
      }
    });

    it("keeps other workers' attempts, unassigned engagements and other roles' pages out of reach", async () => {
      const other = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '別　受講者', 'other-page-trainee@example.jp');
      await w.http.post(`${w.E}/assignments`, { workerIds: [other.workerId] }, w.managers.prime.token);
      const theirs = await w.http.post('/api/v1/modules/basics/attempts', { engagementId: w.engagement.id }, other.token);
      expect(theirs.status).toBe(201);
      expect((await b.get(`/quiz/${theirs.body.attemptId}`)).status).toBe(404);
      expect((await b.get(`/quiz/${theirs.body.attemptId}/result`)).status).toBe(404);
      // Not assigned: the engagement's lessons are a 404.
      const loner = await enrolledWorker(
        w.http,
        w.managers.prime.token,
        w.prime.id,
        '未割当　受講者',
        'unassigned-page-trainee@example.jp',
      );
      const lonerPage = await t.app.inject({
        method: 'GET',
        url: `/learn/${w.engagement.id}/basics`,
        headers: { accept: 'text/html', authorization: `Bearer ${loner.token}` },
      });
      expect(lonerPage.statusCode).toBe(404);
      expect((await b.get('/manager')).status).toBe(403);
      expect((await b.get(`/learn/${w.engagement.id}/my-number`)).status).toBe(404);
    });
  });

  describe('organization manager', () => {
    let b: PageClient;
    beforeAll(async () => {
      b = await signIn(w.managers.prime.email);
    });

    it('adds a worker and shows the enrollment code once, with no personal data in the URL', async () => {
      const r = await b.submit('/manager/workers/new', '/manager/workers', {
        name: '新規　太郎',
        email: 'ＳＨＩＮＫＩ@example.jp',
        employeeNumber: 'E9001',
      });
      expect(r.status).toBe(303);
      expect(r.location).toBe('/manager');
      const home = await b.get('/manager');
      expect(home.text).toContain('新規　太郎さんの登録コード');
      const code = /class="enrollment-code">([0-9A-Z-]+)</.exec(home.text)![1];
      expect(code).toMatch(/^([0-9A-Z]{4}-){4}[0-9A-Z]{4}$/);
      expect(home.text).toContain('shinki@example.jp');
      expect((await b.get('/manager')).text).not.toContain(code);
      // A duplicate e-mail is reported next to the field.
      const dup = await b.submit('/manager/workers/new', '/manager/workers', { name: '新規　二郎', email: 'shinki@example.jp' });
      expect(dup.status).toBe(409);
      expect(dup.text).toMatch(/id="email-error"[^>]*>.*既に登録されています/);
      const bad = await b.submit('/manager/workers/new', '/manager/workers', { name: '', email: 'x' });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('氏名を入力してください');
    });

    it('imports a CSV file posted by the upload script, and pasted CSV without it', async () => {
      const page = await b.get('/manager/workers/import');
      expect(page.text).toContain('<script src="/assets/upload.js" defer></script>');
      expect(page.text).toContain('<label for="csv-file">');
      expect(page.text).toContain('<label for="csv">');
      const csv = Buffer.from(
        '\uFEFF氏名,メールアドレス,社員番号\n取込　一郎,import1@example.jp,I001\n取込　二郎,not-an-email,I002\n',
        'utf8',
      );
      const token = csrfOf(page.text);
      const noToken = await b.raw('POST', '/manager/workers/import', csv, { 'content-type': 'text/csv', accept: 'application/json' });
      expect(noToken.status).toBe(403);
      const r = await b.raw('POST', '/manager/workers/import', csv, {
        'content-type': 'text/csv',
        accept: 'application/json',
        'x-csrf-token': token,
      });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toEqual({ next: '/manager/workers/import/result' });
      const result = await b.get('/manager/workers/import/result');
      expect(result.status).toBe(200);
      expect(result.text).toMatch(/新規登録<\/dt><dd>1</);
      expect(result.text).toContain('メールアドレスの形式が正しくありません');
      expect(result.text).not.toContain('not-an-email');
      // Without the one-time summary the result page sends back to the form.
      expect((await b.get('/manager/workers/import/result')).location).toBe('/manager/workers/import');

      const pasted = await b.submit('/manager/workers/import', '/manager/workers/import', {
        csv: 'name,email\n貼付　花子,paste@example.jp\n',
      });
      expect(pasted.status).toBe(303);
      expect((await b.get(pasted.location!)).text).toMatch(/新規登録<\/dt><dd>1</);
      const empty = await b.submit('/manager/workers/import', '/manager/workers/import', { csv: '  ' });
      expect(empty.status).toBe(400);
      expect(empty.text).toContain('CSVの内容を貼り付けてください');
    });

    it('downloads enrollment codes as CSV for Excel, after a confirmation that earlier codes stop working', async () => {
      // The old one-button post (no confirmation) is answered with the confirmation page; nothing is reissued.
      const before = await t.query<{ h: string }>('SELECT enrollment_code_hash AS h FROM workers WHERE email = ?', ['import1@example.jp']);
      const unconfirmed = await b.submit('/manager', '/manager/workers/enrollment-codes', {});
      expect(unconfirmed.status).toBe(400);
      expect(unconfirmed.text).toContain('これまでに配布・表示したコードは、すべて使えなくなります');
      expect(unconfirmed.text).toContain('class="error-summary"');
      expect(await t.query('SELECT enrollment_code_hash AS h FROM workers WHERE email = ?', ['import1@example.jp'])).toEqual(before);
      const r = await b.submit('/manager/workers/enrollment-codes', '/manager/workers/enrollment-codes', { confirm: 'yes', output: 'csv' });
      expect(r.status).toBe(200);
      expect(r.headers['cache-control']).toBe('no-store');
      // One BOM, Japanese headers, the expiry in JST as the screen writes it.
      expect(r.text.charCodeAt(1)).not.toBe(0xfeff);
      expect(r.text).toMatch(/^\uFEFF氏名,メールアドレス,社員番号,登録コード,有効期限/);
      expect(r.text).toContain(' JST');
      expect(r.headers['content-type']).toContain('text/csv');
      expect(r.headers['content-disposition']).toMatch(/attachment; filename="enrollment-codes-\d{4}-\d{2}-\d{2}\.csv"/);
      expect(r.text.charCodeAt(0)).toBe(0xfeff);
      expect(r.text).toContain('import1@example.jp');
    });

    it('assigns workers to an engagement and adds a subcontractor', async () => {
      const workers = (await w.http.get(`/api/v1/organizations/${w.prime.id}/workers`, w.managers.prime.token)).body.items as {
        id: string;
        email: string;
      }[];
      const target = workers.find((x) => x.email === 'import1@example.jp')!;
      const page = await b.get(`/manager/engagements/${w.engagement.id}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`<label for="w-${target.id}">`);
      const none = await b.post(`/manager/engagements/${w.engagement.id}/assignments`, { _csrf: csrfOf(page.text) });
      expect(none.status).toBe(400);
      expect(none.text).toContain('割り当てる従事者を1人以上選択してください');
      const r = await b.post(`/manager/engagements/${w.engagement.id}/assignments`, { _csrf: csrfOf(page.text), workerIds: [target.id] });
      expect(r.status).toBe(303);
      const after = await b.get(`/manager/engagements/${w.engagement.id}`);
      expect(after.text).toContain('1人を割り当てました');
      expect(after.text).toMatch(new RegExp(`id="w-${target.id}" name="workerIds" value="${target.id}" checked disabled`));

      const bad = await b.submit(`/manager/engagements/${w.engagement.id}`, `/manager/engagements/${w.engagement.id}/subcontractors`, {
        name: '再委託　株式会社',
        corporateNumber: '1234567890123',
      });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('法人番号が正しくありません');
      const sub = await b.submit(`/manager/engagements/${w.engagement.id}`, `/manager/engagements/${w.engagement.id}/subcontractors`, {
        name: 'シー保守株式会社',
      });
      expect(sub.status).toBe(303);
      const list = await w.http.get(`${w.E}/subcontractors`, w.staff.token);
      expect(list.body.items).toContainEqual(
        expect.objectContaining({ organizationName: 'シー保守株式会社', status: 'pending_approval', tier: 1 }),
      );
    });
  });

  describe('town staff', () => {
    let b: PageClient;
    beforeAll(async () => {
      b = await signIn(w.staff.email);
    });

    it('creates an engagement, with field errors first', async () => {
      const form = await b.get('/town/engagements/new');
      expect(form.status).toBe(200);
      const bad = await b.post('/town/engagements', {
        _csrf: csrfOf(form.text),
        title: '',
        contractNumber: 'R8-009',
        primeContractorId: '',
        startsOn: '2027-04-01',
        endsOn: '2027-03-31',
      });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('業務名を入力してください');
      expect(bad.text).toContain('受託者を選択してください');
      const fields = {
        _csrf: csrfOf(form.text),
        title: '窓口業務委託',
        contractNumber: 'R8-009',
        primeContractorId: w.prime.id,
        startsOn: '2027-04-01',
        endsOn: '2027-03-31',
        handlesPersonalInfo: 'on',
        extraModuleIds: ['incident-reporting'],
        certificateValidityDays: '365',
      };
      const order = await b.post('/town/engagements', fields);
      expect(order.status).toBe(400);
      expect(order.text).toContain('終了日は開始日以降の日付にしてください');
      const ok = await b.post('/town/engagements', { ...fields, endsOn: '2028-03-31' });
      expect(ok.status).toBe(303);
      const page = await b.get(ok.location!);
      expect(page.text).toContain('窓口業務委託');
      expect(page.text).toContain('2027年4月1日'); // 西暦 on pages; 和暦 only on documents for the town (docs/web.md)
      const dup = await b.post('/town/engagements', { ...fields, endsOn: '2028-03-31' });
      expect(dup.status).toBe(409);
      expect(dup.text).toContain('この契約番号は既に登録されています');
    });

    it('approves a subcontractor with date and reference, and refuses another', async () => {
      const page = await b.get('/town/approvals');
      expect(page.text).toContain(w.subB.name);
      const action = `/town/engagements/${w.engagement.id}/subcontractors/${w.subB.id}/decision`;
      expect(page.text).toContain(`action="${action}"`);
      const missing = await b.post(action, { _csrf: csrfOf(page.text), next: '/town/approvals', decidedOn: '2026-12-01', reference: '' });
      expect(missing.status).toBe(400);
      expect(missing.text).toContain('承諾するか、承諾しないかを選んでください');
      expect(missing.text).toContain('文書番号を入力してください');
      const ok = await b.post(action, {
        _csrf: csrfOf(page.text),
        next: '/town/approvals',
        decision: 'approve',
        decidedOn: '2026-12-01',
        reference: '府情第1202号',
      });
      expect(ok.status).toBe(303);
      expect(ok.location).toBe('/town/approvals');
      expect((await b.get('/town/approvals')).text).toContain(`${w.subB.name}の再委託を承諾しました`);
      const links = (await w.http.get(`${w.E}/subcontractors`, w.staff.token)).body.items;
      expect(links.find((l: any) => l.organizationId === w.subB.id)).toMatchObject({
        status: 'approved',
        decidedOn: '2026-12-01',
        reference: '府情第1202号',
      });

      const eng = await b.get(`/town/engagements/${w.engagement.id}`);
      const reject = `/town/engagements/${w.engagement.id}/subcontractors/${w.subA1.id}/decision`;
      // An error on the engagement page re-renders it with that form open, the choice kept.
      const noRef = await b.post(reject, {
        _csrf: csrfOf(eng.text),
        next: `/town/engagements/${w.engagement.id}`,
        decision: 'reject',
        decidedOn: '2026-12-02',
        reference: '',
      });
      expect(noRef.status).toBe(400);
      expect(noRef.text).toMatch(/<details class="decision-box" open>/);
      expect(noRef.text).toMatch(/value="reject" checked/);
      const r = await b.post(reject, {
        _csrf: csrfOf(eng.text),
        next: `/town/engagements/${w.engagement.id}`,
        decision: 'reject',
        decidedOn: '2026-12-02',
        reference: '府情第1203号',
      });
      expect(r.location).toBe(`/town/engagements/${w.engagement.id}`);
      expect((await b.get(r.location!)).text).toContain('不承認');
      // Deciding twice is refused and said so.
      const twice = await b.post(reject, {
        _csrf: csrfOf(eng.text),
        next: '/town/approvals',
        decision: 'approve',
        decidedOn: '2026-12-02',
        reference: 'x',
      });
      expect(twice.status).toBe(303);
      expect((await b.get('/town/approvals')).text).toContain('既に判断が記録されています');
    });

    it("does not show another municipality's engagement", async () => {
      const other = await signIn(w.otherStaff.email);
      expect((await other.get(`/town/engagements/${w.engagement.id}`)).status).toBe(404);
      expect((await other.get('/town')).text).not.toContain('住民情報システム運用保守業務');
    });
  });

  it('answers an unknown page with an HTML 404 in the visitor’s language', async () => {
    const b = pageClient(t.app);
    const r = await b.get('/no-such-page');
    expect(r.status).toBe(404);
    expect(r.text).toContain('<html lang="ja">');
    expect(r.text).toContain('ページが見つかりません');
  });
});

/**
 * Phase 2: certificates for workers, the public verification pages, progress
 * and its CSV, readiness, and the town's verification and revocation. A world
 * of its own: prime ─┬─ subA (approved) ── subA1 (pending), └─ subB (pending).
 */
describe('web pages: certificates, progress and readiness', () => {
  let t: TestApp;
  let w: World;
  let holder: { workerId: string; token: string; email: string };
  let subWorker: { workerId: string; token: string; email: string };
  let serial: string;

  const signIn = async (email: string): Promise<PageClient> => {
    const b = await signedIn(t.app, email, PASSWORD);
    // Handlebars writes `=` and `&` in attributes as entities; compare links as a browser reads them.
    const get = b.get;
    b.get = async (url, headers) => {
      const r = await get(url, headers);
      return { ...r, text: r.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&') };
    };
    return b;
  };
  const worker = async (managerToken: string, orgId: string, name: string, email: string) => {
    const x = await enrolledWorker(w.http, managerToken, orgId, name, email);
    await w.http.post(`${w.E}/assignments`, { workerIds: [x.workerId] }, managerToken);
    return { ...x, email };
  };
  const curriculum = () => w.engagement.curriculum as string[];
  const E = () => `/engagements/${w.engagement.id}`;

  beforeAll(async () => {
    t = await createTestApp();
    w = await buildWorld(t);
    holder = await worker(w.managers.prime.token, w.prime.id, '証書　一郎', 'holder-page@example.jp');
    subWorker = await worker(w.managers.subB.token, w.subB.id, '保留　花子', 'held-page@example.jp');
    for (const m of curriculum()) expect((await sit(t, w.http, subWorker.token, m, w.engagement.id)).body.passed).toBe(true);
  });
  afterAll(() => t.close());

  describe('worker', () => {
    it('shows the certificate on the result page of the pass that issued it, on the home page and among my certificates', async () => {
      for (const m of curriculum().slice(0, -1)) await sit(t, w.http, holder.token, m, w.engagement.id);
      const b = await signIn(holder.email);
      expect((await b.get('/learn')).text).not.toContain('/certificates/');
      const last = curriculum()[curriculum().length - 1];
      const start = await b.submit(`/learn/${w.engagement.id}/${last}`, `/learn/${w.engagement.id}/${last}/attempts`, {});
      const quiz = await b.get(start.location!);
      const key = await answerKey(t, start.location!.split('/')[2]);
      const done = await b.post(start.location!, {
        _csrf: csrfOf(quiz.text),
        ...Object.fromEntries([...key].map(([q, k]) => [`q_${q}`, k.correct])),
      });
      const result = await b.get(done.location!);
      serial = /href="\/certificates\/([0-9A-Z-]+)"/.exec(result.text)![1];
      expect((await w.http.get('/api/v1/me/certificates', holder.token)).body[0].serial).toBe(serial);
      expect(result.text).toContain('修了証が発行されました');
      expect(result.text).toContain('この契約の修了証');
      expect(result.text).toContain('badge badge--valid');
      // The one-time message is gone on reload; the certificate stays.
      const again = await b.get(done.location!);
      expect(again.text).not.toContain('修了証が発行されました');
      expect(again.text).toContain(`href="/certificates/${serial}"`);

      const home = await b.get('/learn');
      expect(home.text).toContain(`href="/certificates/${serial}"`);
      expect(home.text).toContain(`修了証番号 ${serial}`);
      const mine = await b.get('/learn/certificates');
      expect(mine.status).toBe(200);
      expect(mine.text).toContain('href="/learn/certificates" aria-current="page"');
      expect(mine.text).toContain(`href="/certificates/${serial}"`);
      expect(mine.text).toContain(`href="/verify/${serial}"`);
      expect(mine.text).toMatch(/<span class="badge badge--valid">有効<\/span>/);
      // The printable certificate opens with the same cookie session.
      const doc = await b.get(`/certificates/${serial}`);
      expect(doc.status).toBe(200);
      expect(doc.text).toContain('証書　一郎');
    });

    it("tells a subcontractor's worker the certificate waits for the town's approval", async () => {
      const b = await signIn(subWorker.email);
      const home = await b.get('/learn');
      expect(home.text).toContain('町の書面による承諾が記録されると発行されます');
      expect((await b.get('/learn/certificates')).text).toContain('まだ修了証はありません');
    });
  });

  describe('public verification', () => {
    it('shows status in words and colour in the application layout, the name masked', async () => {
      const b = pageClient(t.app);
      const form = await b.get('/verify');
      expect(form.status).toBe(200);
      expect(form.text).toContain('<html lang="ja">');
      expect(form.text.match(/<main/g)).toHaveLength(1);
      expect(form.text).toContain('<label for="serial">');
      expect(form.text).toContain('href="/assets/app.css"');
      expect(form.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\sstyle=/i);
      const typed = await b.get(`/verify?serial=${encodeURIComponent(' ' + serial.toLowerCase())}`);
      expect(typed.status).toBe(303);
      const page = await b.get(typed.location!);
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/class="card verdict verdict--ok"/);
      expect(page.text).toMatch(/<h2 class="verdict__word" id="verdict-word">有効<\/h2>/);
      expect(page.text).toContain('証書 *');
      expect(page.text).not.toContain('証書　一郎');
      expect(page.text).not.toContain('/revocation');
      expect(page.text).toContain(serial);
      await b.get('/lang/en?next=/');
      expect((await b.get(`/verify/${serial}`)).text).toMatch(/verdict__word" id="verdict-word">Valid</);
    });

    it('names a mistyped or unknown serial next to the field', async () => {
      const b = pageClient(t.app);
      const wrong = serial.slice(0, -1) + (serial.endsWith('0') ? '1' : '0');
      const mistyped = await b.get(`/verify/${wrong}`);
      expect(mistyped.status).toBe(400);
      expect(mistyped.text).toMatch(/id="serial-error"[^>]*>.*検査文字が一致しません/);
      expect(mistyped.text).toContain('aria-invalid="true"');
      const unknown = await b.get(`/verify/${newSerial()}`);
      expect(unknown.status).toBe(404);
      expect(unknown.text).toContain('この番号の修了証は見つかりません');
      expect((await b.get('/verify/nonsense')).text).toContain('XXXX-XXXX-XXXX-X の形です');
    });

    it("shows the full name and the revocation link only to the municipality's staff", async () => {
      const staff = await signIn(w.staff.email);
      const page = await staff.get(`/verify/${serial}`);
      expect(page.text).toContain('証書　一郎');
      expect(page.text).toContain(`href="/town/certificates/${serial}/revocation"`);
      const other = await signIn(w.otherStaff.email);
      const theirs = await other.get(`/verify/${serial}`);
      expect(theirs.text).toContain('証書 *');
      expect(theirs.text).not.toContain('/revocation');
    });
  });

  describe('progress', () => {
    it("shows a manager their subtree's organizations, workers, module statuses and certificates", async () => {
      const b = await signIn(w.managers.prime.email);
      const eng = await b.get(`/manager/engagements/${w.engagement.id}`);
      expect(eng.text).toContain(`href="${E()}/progress"`);
      expect(eng.text).toContain(`href="${E()}/readiness"`);
      const page = await b.get(`${E()}/progress`);
      expect(page.status).toBe(200);
      for (const name of [w.prime.name, w.subA.name, w.subA1.name, w.subB.name, '証書　一郎']) expect(page.text).toContain(name);
      // subB's link still awaits the town's approval: its people stay hidden from the prime's managers.
      expect(page.text).not.toContain('保留　花子');
      expect(page.text).toContain(`href="/verify/${serial}"`);
      expect(page.text.match(/class="dot dot--completed"/g)!.length).toBe(curriculum().length);
      expect(page.text).toContain(`${curriculum().length}/${curriculum().length} 修了`);
      for (const id of ['status', 'organizationId']) expect(page.text).toContain(`<label for="${id}">`);
      expect(page.text).toContain(`href="${E()}/progress.csv"`);
      expect(page.text).not.toContain('/revocation'); // revoking is the town's
      const certified = await b.get(`${E()}/progress?status=certified`);
      expect(certified.text).toContain('証書　一郎');
      expect(certified.text).not.toContain('保留　花子');
      expect(certified.text).toContain(`href="${E()}/progress.csv?status=certified"`);
      const onlySubB = await b.get(`${E()}/progress?organizationId=${w.subB.id}`);
      expect(onlySubB.status).toBe(200);
      expect(onlySubB.text).not.toContain('証書　一郎');
      expect(onlySubB.text).not.toContain('保留　花子');
      // The town sees every worker assigned to its engagement, pending links or not.
      const town = await (await signIn(w.staff.email)).get(`${E()}/progress?organizationId=${w.subB.id}`);
      expect(town.text).toContain('保留　花子');
    });

    it('names a bad filter next to its field, and an organization outside the subtree like a missing one', async () => {
      const sub = await signIn(w.managers.subA.email);
      const eng = await sub.get(`/manager/engagements/${w.engagement.id}`);
      expect(eng.text).toContain(`href="${E()}/progress"`);
      expect(eng.text).not.toContain(`href="${E()}/readiness"`);
      const mine = await sub.get(`${E()}/progress`);
      expect(mine.text).toContain(w.subA1.name);
      expect(mine.text).not.toContain(w.prime.name);
      const outside = await sub.get(`${E()}/progress?organizationId=${w.prime.id}`);
      expect(outside.status).toBe(400);
      expect(outside.text).toMatch(/id="organizationId-error"[^>]*>.*一覧から選択してください/);
      expect(outside.text).not.toContain('証書　一郎');
      const bogus = await sub.get(`${E()}/progress?status=bogus`);
      expect(bogus.status).toBe(400);
      expect(bogus.text).toMatch(/id="status-error"/);
      expect((await sub.get(`${E()}/readiness`)).status).toBe(404);
    });

    it('downloads the CSV for Excel with the filters, and records the export', async () => {
      const b = await signIn(w.managers.prime.email);
      const r = await b.get(`${E()}/progress.csv?organizationId=${w.prime.id}`);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toContain('text/csv');
      expect(r.headers['content-disposition']).toMatch(/^attachment; filename="progress-\d{4}-\d{2}-\d{2}\.csv"$/);
      expect(r.text.charCodeAt(0)).toBe(0xfeff);
      expect(r.text.slice(1)).toMatch(/^組織,階層,承認状況,氏名/);
      expect(r.text).toContain('証書　一郎');
      expect(r.text).not.toContain('保留　花子');
      const events = await t.query<{ details: string }>("SELECT details FROM audit_events WHERE action = 'export.downloaded'");
      expect(events.length).toBeGreaterThan(0);
      await b.get('/lang/en?next=/');
      expect((await b.get(`${E()}/progress.csv`)).text.slice(1)).toMatch(/^Organization,Tier/);
    });

    it("keeps another municipality's staff and workers out", async () => {
      const other = await signIn(w.otherStaff.email);
      for (const path of ['progress', 'progress.csv', 'readiness']) expect((await other.get(`${E()}/${path}`)).status).toBe(404);
      const outsider = await signIn(w.managers.outsider.email);
      expect((await outsider.get(`${E()}/progress`)).status).toBe(404);
      const b = await signIn(holder.email);
      expect((await b.get(`${E()}/progress`)).status).toBe(403);
    });
  });

  describe('readiness', () => {
    it('names each blocker by organization with where to resolve it, and turns green once the town approves', async () => {
      const b = await signIn(w.staff.email);
      const eng = await b.get(`/town/engagements/${w.engagement.id}`);
      for (const path of ['readiness', 'progress', 'report?lang=ja']) expect(eng.text).toContain(`href="${E()}/${path}"`);
      const page = await b.get(`${E()}/readiness`);
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/class="card verdict verdict--bad"/);
      expect(page.text).toMatch(/verdict__word" id="verdict-word">開始できません</);
      expect(page.text).toContain(`href="${E()}/report?lang=ja"`);
      // subA1 and subB await approval (forms right here), subB's worker waits for it.
      for (const org of [w.subA1, w.subB]) {
        expect(page.text).toContain(`id="bg-${org.id}"`);
        expect(page.text).toContain(`action="/town/engagements/${w.engagement.id}/subcontractors/${org.id}/decision"`);
      }
      expect(page.text).toContain('有効な修了証のない従事者: 1人');
      expect(page.text).toContain('保留　花子');
      expect(page.text).toContain(`href="${E()}/progress?organizationId=${w.subB.id}"`);
      expect(page.text).not.toContain(`id="bg-${w.prime.id}"`);

      // The prime's manager sees the same verdict, without the town's forms.
      const prime = await signIn(w.managers.prime.email);
      const theirs = await prime.get(`${E()}/readiness`);
      expect(theirs.status).toBe(200);
      expect(theirs.text).toContain('開始できません');
      expect(theirs.text).not.toContain('/decision"');
      expect(theirs.text).toContain('町の承諾をお待ちください');

      for (const [org, ref] of [
        [w.subA1, '府情第3001号'],
        [w.subB, '府情第3002号'],
      ] as const) {
        const r = await b.post(`/town/engagements/${w.engagement.id}/subcontractors/${org.id}/decision`, {
          _csrf: csrfOf(page.text),
          next: `${E()}/readiness`,
          decision: 'approve',
          decidedOn: '2026-12-10',
          reference: ref,
        });
        expect(r.status).toBe(303);
        expect(r.location).toBe(`${E()}/readiness`);
      }
      const green = await b.get(`${E()}/readiness`);
      expect(green.text).toContain('の再委託を承諾しました');
      expect(green.text).toMatch(/class="card verdict verdict--ok"/);
      expect(green.text).toMatch(/verdict__word" id="verdict-word">開始可能</);
      expect(green.text).not.toContain('解消が必要な事項');
      // The approval issued the held certificate.
      expect((await w.http.get('/api/v1/me/certificates', subWorker.token)).body).toHaveLength(1);
    });

    it('flags a certificate that expires before the engagement ends, with a link to its verification page', async () => {
      const [cert] = (await w.http.get('/api/v1/me/certificates', subWorker.token)).body;
      await t.query('UPDATE certificates SET valid_until = ? WHERE serial = ?', ['2028-01-31T00:00:00.000Z', cert.serial]);
      const b = await signIn(w.staff.email);
      const page = await b.get(`${E()}/readiness`);
      expect(page.text).toContain('開始できません');
      expect(page.text).toContain('契約終了日（2028年3月31日）より前に期限が切れる修了証: 1件');
      expect(page.text).toContain(`href="/verify/${cert.serial}"`);
      await t.query('UPDATE certificates SET valid_until = ? WHERE serial = ?', [cert.validUntil, cert.serial]);
      expect((await b.get(`${E()}/readiness`)).text).toContain('開始可能');
    });
  });

  describe('verification and revocation by town staff', () => {
    it('verifies one serial or a pasted list, with field errors first', async () => {
      const b = await signIn(w.staff.email);
      const form = await b.get('/town/certificates');
      expect(form.status).toBe(200);
      expect(form.text).toContain('<label for="serials">');
      expect(form.text).toContain('href="/town/certificates" aria-current="page"');
      expect((await b.post('/town/certificates/verify', { serials: serial })).status).toBe(403);
      const empty = await b.post('/town/certificates/verify', { _csrf: csrfOf(form.text), serials: ' \n , ' });
      expect(empty.status).toBe(400);
      expect(empty.text).toMatch(/id="serials-error"[^>]*>.*修了証番号を1件以上入力してください/);
      const many = await b.post('/town/certificates/verify', {
        _csrf: csrfOf(form.text),
        serials: Array.from({ length: 1001 }, () => newSerial()).join('\n'),
      });
      expect(many.status).toBe(400);
      expect(many.text).toContain('一度に確認できるのは1,000件までです');
      const unknown = newSerial();
      const wrong = serial.slice(0, -1) + (serial.endsWith('0') ? '1' : '0');
      const r = await b.post('/town/certificates/verify', {
        _csrf: csrfOf(form.text),
        serials: `${serial.toLowerCase()}, ${wrong}\n${unknown}\nnonsense`,
      });
      expect(r.status).toBe(200);
      expect(r.text).toContain('確認結果（4件）');
      expect(r.text).toContain('証書　一郎');
      expect(r.text).toContain(`href="/town/certificates/${serial}/revocation"`);
      for (const s of ['valid', 'mistyped', 'not_found', 'invalid']) expect(r.text).toContain(`class="badge badge--${s}"`);
      // Another municipality's staff: the certificate's public facts only, nothing to revoke.
      const other = await signIn(w.otherStaff.email);
      const theirs = await other.submit('/town/certificates', '/town/certificates/verify', { serials: serial });
      expect(theirs.text).toContain('証書 *');
      expect(theirs.text).not.toContain('/revocation');
    });

    it('revokes with a reason behind a confirmation, POST + CSRF + 303', async () => {
      const b = await signIn(w.staff.email);
      const confirm = await b.get(`/town/certificates/${serial}/revocation`);
      expect(confirm.status).toBe(200);
      expect(confirm.text).toContain('証書　一郎');
      for (const id of ['reason', 'confirm']) expect(confirm.text).toContain(`<label for="${id}">`);
      expect((await (await signIn(w.otherStaff.email)).get(`/town/certificates/${serial}/revocation`)).status).toBe(404);
      expect((await (await signIn(w.managers.prime.email)).get(`/town/certificates/${serial}/revocation`)).status).toBe(403);

      const noToken = await b.post(`/town/certificates/${serial}/revocation`, { reason: '従事者の交代', confirm: 'yes' });
      expect(noToken.status).toBe(403);
      expect((await w.http.get(`/api/v1/certificates/${serial}`)).body.status).toBe('valid');
      const missing = await b.post(`/town/certificates/${serial}/revocation`, { _csrf: csrfOf(confirm.text), reason: '  ' });
      expect(missing.status).toBe(400);
      expect(missing.text).toMatch(/id="reason-error"[^>]*>.*取消しの理由を入力してください/);
      expect(missing.text).toMatch(/id="confirm-error"[^>]*>.*確認のチェックを入れてください/);
      const other = await signIn(w.otherStaff.email);
      const otherForm = await other.get('/town/certificates');
      expect(
        (await other.post(`/town/certificates/${serial}/revocation`, { _csrf: csrfOf(otherForm.text), reason: 'x', confirm: 'yes' }))
          .status,
      ).toBe(404);

      const done = await b.post(`/town/certificates/${serial}/revocation`, {
        _csrf: csrfOf(confirm.text),
        reason: '従事者の交代',
        confirm: 'yes',
      });
      expect(done.status).toBe(303);
      expect(done.location).toBe(`/verify/${serial}`);
      const after = await b.get(done.location!);
      expect(after.text).toContain(`修了証 ${serial} を取り消しました`);
      expect(after.text).toMatch(/class="card verdict verdict--bad"/);
      expect(after.text).toMatch(/verdict__word" id="verdict-word">取消し</);
      expect(after.text).toContain('従事者の交代');
      expect(after.text).not.toContain('/revocation"');
      expect((await w.http.get(`/api/v1/certificates/${serial}`)).body.status).toBe('revoked');
      // The public sees it revoked without the reason; a second attempt changes nothing and says why.
      const pub = await pageClient(t.app).get(`/verify/${serial}`);
      expect(pub.text).toContain('取消し');
      expect(pub.text).not.toContain('従事者の交代');
      expect((await b.get(`/town/certificates/${serial}/revocation`)).text).toContain('既に取り消されているか');
      const twice = await b.post(`/town/certificates/${serial}/revocation`, {
        _csrf: csrfOf(confirm.text),
        reason: 'again',
        confirm: 'yes',
      });
      expect(twice.status).toBe(303);
      expect((await b.get(twice.location!)).text).toContain('既に取り消されているか');
      // Readiness names the worker again, with the revoked certificate.
      const readiness = await b.get(`${E()}/readiness`);
      expect(readiness.text).toContain('開始できません');
      expect(readiness.text).toMatch(
        /証書\u3000一郎[^<]*<span class="badge badge--not_started|証書\u3000一郎[^<]*<span class="badge badge--in_progress/,
      );
      expect(readiness.text).toContain('class="badge badge--revoked"');
    });

    it('lifts the revocation behind a confirmation: a new certificate at once, the revoked one stays revoked', async () => {
      const b = await signIn(w.staff.email);
      expect((await b.get(`/verify/${serial}`)).text).toContain(`href="/town/certificates/${serial}/reinstatement"`);
      expect((await pageClient(t.app).get(`/verify/${serial}`)).text).not.toContain('/reinstatement');
      expect((await (await signIn(w.otherStaff.email)).get(`/town/certificates/${serial}/reinstatement`)).status).toBe(404);
      expect((await (await signIn(w.managers.prime.email)).get(`/town/certificates/${serial}/reinstatement`)).status).toBe(403);
      const confirm = await b.get(`/town/certificates/${serial}/reinstatement`);
      expect(confirm.status).toBe(200);
      expect(confirm.text).toContain('証書　一郎');
      for (const id of ['reason', 'retraining', 'confirm']) expect(confirm.text).toContain(`<label for="${id}">`);
      const missing = await b.post(`/town/certificates/${serial}/reinstatement`, { _csrf: csrfOf(confirm.text), reason: ' ' });
      expect(missing.status).toBe(400);
      expect(missing.text).toMatch(/id="reason-error"[^>]*>.*解除の理由を入力してください/);
      expect(missing.text).toMatch(/id="confirm-error"[^>]*>.*確認のチェックを入れてください/);

      const done = await b.post(`/town/certificates/${serial}/reinstatement`, {
        _csrf: csrfOf(confirm.text),
        reason: '誤って取り消したため',
        confirm: 'yes',
      });
      expect(done.status).toBe(303);
      const fresh = /^\/verify\/([0-9A-Z-]+)$/.exec(done.location!)![1];
      expect(fresh).not.toBe(serial);
      const page = await b.get(done.location!);
      expect(page.text).toContain(`新しい修了証 ${fresh} を発行しました`);
      expect(page.text).toMatch(/verdict__word" id="verdict-word">有効</);
      const old = await b.get(`/verify/${serial}`);
      expect(old.text).toMatch(/verdict__word" id="verdict-word">取消し</);
      expect(old.text).toContain('取消し解除日');
      expect(old.text).not.toContain('/reinstatement"');
      const twice = await b.post(`/town/certificates/${serial}/reinstatement`, {
        _csrf: csrfOf(confirm.text),
        reason: 'again',
        confirm: 'yes',
      });
      expect(twice.status).toBe(303);
      expect((await b.get(twice.location!)).text).toContain('既に取消しが解除されています');
      expect((await b.get(`${E()}/readiness`)).text).toContain('開始可能');
    });
  });

  it('pages through a long progress list by a cursor that holds no name', async () => {
    const e = (
      await w.http.post(
        '/api/v1/engagements',
        {
          title: '頁送り業務',
          contractNumber: 'R8-PAGE',
          primeContractorId: w.prime.id,
          startsOn: '2027-04-01',
          endsOn: '2028-03-31',
          handlesPersonalInfo: true,
          handlesMyNumber: false,
          usesCloudStorage: false,
        },
        w.staff.token,
      )
    ).body;
    const csv = [
      'name,email',
      ...Array.from({ length: 105 }, (_, i) => `頁送り\u3000${String(i).padStart(3, '0')},page-${i}@example.jp`),
    ].join('\n');
    await w.http.post(`/api/v1/organizations/${w.prime.id}/workers/import`, csv, w.managers.prime.token, { 'content-type': 'text/csv' });
    const all = (await w.http.get(`/api/v1/organizations/${w.prime.id}/workers?limit=500`, w.managers.prime.token)).body.items as {
      id: string;
      email: string;
    }[];
    const ids = all.filter((x) => x.email.startsWith('page-')).map((x) => x.id);
    expect(ids).toHaveLength(105);
    expect((await w.http.post(`/api/v1/engagements/${e.id}/assignments`, { workerIds: ids }, w.managers.prime.token)).status).toBe(200);
    const b = await signIn(w.staff.email);
    const first = await b.get(`/engagements/${e.id}/progress`);
    expect(first.text.match(/<th scope="row">頁送り/g)).toHaveLength(100);
    const next = /href="(\?cursor=[^"]+)"/.exec(first.text)![1];
    expect(Buffer.from(decodeURIComponent(next.split('=')[1]), 'base64url').toString()).not.toContain('頁送り');
    const second = await b.get(`/engagements/${e.id}/progress${next}`);
    expect(second.text.match(/<th scope="row">頁送り/g)).toHaveLength(5);
    expect(second.text).toContain(`href="/engagements/${e.id}/progress"`);
    expect(second.text).not.toContain('?cursor=');
  });
});
