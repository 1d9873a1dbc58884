import { buildWorld, enrolledWorker, PASSWORD, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';
import { csrfOf, pageClient, PageClient } from '../utils/page-client';
import { answerKey } from '../utils/quiz';

/** Page tests through Fastify inject: sessions, CSRF, language, and each role's forms. */
describe('web pages', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp();
    w = await buildWorld(t);
  });
  afterAll(() => t.close());

  const signIn = async (email: string, password = PASSWORD): Promise<PageClient> => {
    const b = pageClient(t.app);
    const r = await b.submit('/', '/login', { email, password });
    if (r.status !== 303) throw new Error(`sign-in ${email}: ${r.status}`);
    return b;
  };

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
        headers: { cookie: `a4_session=${b.jar.get('a4_session')}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
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
      const created = await w.http.post(`/api/v1/organizations/${w.prime.id}/workers`, { name: '頁　受講者', email: 'page-trainee@example.jp' }, w.managers.prime.token);
      await w.http.post(`${w.E}/assignments`, { workerIds: [created.body.id] }, w.managers.prime.token);
      b = pageClient(t.app);
      const page = await b.get('/enroll');
      expect(page.text).toContain('<label for="enrollmentCode">');
      const mismatch = await b.post('/enroll', { _csrf: csrfOf(page.text), enrollmentCode: created.body.enrollmentCode, password: 'a-long-password', passwordConfirm: 'different-one' });
      expect(mismatch.status).toBe(400);
      expect(mismatch.text).toContain('確認用のパスワードが一致しません');
      const r = await b.submit('/enroll', '/enroll', { enrollmentCode: created.body.enrollmentCode.toLowerCase(), password: 'a-long-password', passwordConfirm: 'a-long-password' });
      expect(r.status).toBe(303);
      expect(b.jar.get('a4_session')).toBeTruthy();
      const again = await pageClient(t.app).submit('/enroll', '/enroll', { enrollmentCode: created.body.enrollmentCode, password: 'a-long-password', passwordConfirm: 'a-long-password' });
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
      // Every choice, right or wrong, is rendered by the same markup: only its opaque key differs.
      for (const [qid, k] of key) {
        for (const c of [...k.correct, ...k.wrong]) {
          const input = new RegExp(`<input type="(radio|checkbox)" id="c-${c}" name="q_${qid}" value="${c}">`);
          expect(html).toMatch(input);
        }
        expect(html).toContain(`type="${k.correct.length > 1 ? 'checkbox' : 'radio'}" id="c-${k.correct[0]}"`);
      }
      // Unanswered questions are named next to themselves.
      const partial = await b.post(`/quiz/${attemptId}`, { _csrf: csrfOf(html), [`q_${[...key.keys()][0]}`]: [...key.values()][0].correct });
      expect(partial.status).toBe(400);
      expect(partial.text.match(/この問題に回答してください/g)).toHaveLength(key.size - 1);
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
    });

    it("keeps other workers' attempts, unassigned engagements and other roles' pages out of reach", async () => {
      const other = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '別　受講者', 'other-page-trainee@example.jp');
      await w.http.post(`${w.E}/assignments`, { workerIds: [other.workerId] }, w.managers.prime.token);
      const theirs = await w.http.post('/api/v1/modules/basics/attempts', { engagementId: w.engagement.id }, other.token);
      expect(theirs.status).toBe(201);
      expect((await b.get(`/quiz/${theirs.body.attemptId}`)).status).toBe(404);
      expect((await b.get(`/quiz/${theirs.body.attemptId}/result`)).status).toBe(404);
      // Not assigned: the engagement's lessons are a 404.
      const loner = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '未割当　受講者', 'unassigned-page-trainee@example.jp');
      const lonerPage = await t.app.inject({ method: 'GET', url: `/learn/${w.engagement.id}/basics`, headers: { accept: 'text/html', authorization: `Bearer ${loner.token}` } });
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
      const r = await b.submit('/manager/workers/new', '/manager/workers', { name: '新規　太郎', email: 'ＳＨＩＮＫＩ@example.jp', employeeNumber: 'E9001' });
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
      const csv = Buffer.from('\uFEFF氏名,メールアドレス,社員番号\n取込　一郎,import1@example.jp,I001\n取込　二郎,not-an-email,I002\n', 'utf8');
      const token = csrfOf(page.text);
      const noToken = await b.raw('POST', '/manager/workers/import', csv, { 'content-type': 'text/csv', accept: 'application/json' });
      expect(noToken.status).toBe(403);
      const r = await b.raw('POST', '/manager/workers/import', csv, { 'content-type': 'text/csv', accept: 'application/json', 'x-csrf-token': token });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toEqual({ next: '/manager/workers/import/result' });
      const result = await b.get('/manager/workers/import/result');
      expect(result.status).toBe(200);
      expect(result.text).toMatch(/新規登録<\/dt><dd>1</);
      expect(result.text).toContain('メールアドレスの形式が正しくありません');
      expect(result.text).not.toContain('not-an-email');
      // Without the one-time summary the result page sends back to the form.
      expect((await b.get('/manager/workers/import/result')).location).toBe('/manager/workers/import');

      const pasted = await b.submit('/manager/workers/import', '/manager/workers/import', { csv: 'name,email\n貼付　花子,paste@example.jp\n' });
      expect(pasted.status).toBe(303);
      expect((await b.get(pasted.location!)).text).toMatch(/新規登録<\/dt><dd>1</);
      const empty = await b.submit('/manager/workers/import', '/manager/workers/import', { csv: '  ' });
      expect(empty.status).toBe(400);
      expect(empty.text).toContain('CSVの内容を貼り付けてください');
    });

    it('downloads enrollment codes as CSV for Excel', async () => {
      const r = await b.submit('/manager', '/manager/workers/enrollment-codes', {});
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toContain('text/csv');
      expect(r.headers['content-disposition']).toMatch(/attachment; filename="enrollment-codes-\d{4}-\d{2}-\d{2}\.csv"/);
      expect(r.text.charCodeAt(0)).toBe(0xfeff);
      expect(r.text).toContain('import1@example.jp');
    });

    it('assigns workers to an engagement and adds a subcontractor', async () => {
      const workers = (await w.http.get(`/api/v1/organizations/${w.prime.id}/workers`, w.managers.prime.token)).body.items as { id: string; email: string }[];
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

      const bad = await b.submit(`/manager/engagements/${w.engagement.id}`, `/manager/engagements/${w.engagement.id}/subcontractors`, { name: '再委託　株式会社', corporateNumber: '1234567890123' });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('法人番号が正しくありません');
      const sub = await b.submit(`/manager/engagements/${w.engagement.id}`, `/manager/engagements/${w.engagement.id}/subcontractors`, { name: 'シー保守株式会社' });
      expect(sub.status).toBe(303);
      const list = await w.http.get(`${w.E}/subcontractors`, w.staff.token);
      expect(list.body.items).toContainEqual(expect.objectContaining({ organizationName: 'シー保守株式会社', status: 'pending_approval', tier: 1 }));
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
      const bad = await b.post('/town/engagements', { _csrf: csrfOf(form.text), title: '', contractNumber: 'R8-009', primeContractorId: '', startsOn: '2027-04-01', endsOn: '2027-03-31' });
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
      expect(page.text).toContain('令和9年4月1日');
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
      const ok = await b.post(action, { _csrf: csrfOf(page.text), next: '/town/approvals', decision: 'approve', decidedOn: '2026-12-01', reference: '府情第1202号' });
      expect(ok.status).toBe(303);
      expect(ok.location).toBe('/town/approvals');
      expect((await b.get('/town/approvals')).text).toContain(`${w.subB.name}の再委託を承諾しました`);
      const links = (await w.http.get(`${w.E}/subcontractors`, w.staff.token)).body.items;
      expect(links.find((l: any) => l.organizationId === w.subB.id)).toMatchObject({ status: 'approved', decidedOn: '2026-12-01', reference: '府情第1202号' });

      const eng = await b.get(`/town/engagements/${w.engagement.id}`);
      const reject = `/town/engagements/${w.engagement.id}/subcontractors/${w.subA1.id}/decision`;
      // An error on the engagement page re-renders it with that form open, the choice kept.
      const noRef = await b.post(reject, { _csrf: csrfOf(eng.text), next: `/town/engagements/${w.engagement.id}`, decision: 'reject', decidedOn: '2026-12-02', reference: '' });
      expect(noRef.status).toBe(400);
      expect(noRef.text).toMatch(/<details class="decision-box" open>/);
      expect(noRef.text).toMatch(/value="reject" checked/);
      const r = await b.post(reject, { _csrf: csrfOf(eng.text), next: `/town/engagements/${w.engagement.id}`, decision: 'reject', decidedOn: '2026-12-02', reference: '府情第1203号' });
      expect(r.location).toBe(`/town/engagements/${w.engagement.id}`);
      expect((await b.get(r.location!)).text).toContain('不承認');
      // Deciding twice is refused and said so.
      const twice = await b.post(reject, { _csrf: csrfOf(eng.text), next: '/town/approvals', decision: 'approve', decidedOn: '2026-12-02', reference: 'x' });
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
