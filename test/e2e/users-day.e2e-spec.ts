import { enrolledWorker, PASSWORD, useWorld, World } from '../factories/world';
import { TestApp } from '../utils/create-app';
import { csrfOf, errorSummaryOf, pageClient, PageClient, signedIn } from '../utils/page-client';
import { sit } from '../utils/quiz';

/*
 * Issue 20, part B on the server: フリガナ and 五十音順, unassigning, the
 * per-worker code reissue and the sign-up slips, the welcome after enrolling,
 * and the error summary of the forms named in the issue.
 */
describe("the users' day (issue 20, part B)", () => {
  let t: TestApp;
  let w: World;
  useWorld((app, world) => ([t, w] = [app, world]));

  const signIn = (email: string): Promise<PageClient> => signedIn(t.app, email, PASSWORD);

  describe('フリガナ and 五十音順', () => {
    const workers = (token: string, orgId: string) => w.http.get(`/api/v1/organizations/${orgId}/workers?limit=500`, token);

    it('takes フリガナ in hiragana or half width, stores full-width katakana, and refuses kanji', async () => {
      const r = await w.http.post(
        `/api/v1/organizations/${w.subA1.id}/workers`,
        { name: '山田　太郎', furigana: 'やまだ　たろう', email: 'yamada@example.jp' },
        w.managers.subA1.token,
      );
      expect(r.status).toBe(201);
      expect(r.body.furigana).toBe('ヤマダ タロウ');
      const half = await w.http.post(
        `/api/v1/organizations/${w.subA1.id}/workers`,
        { name: '佐藤　花子', furigana: 'ｻﾄｳ ﾊﾅｺ', email: 'sato@example.jp' },
        w.managers.subA1.token,
      );
      expect(half.body.furigana).toBe('サトウ ハナコ');
      const bad = await w.http.post(
        `/api/v1/organizations/${w.subA1.id}/workers`,
        { name: '木村', furigana: '木村', email: 'kimura@example.jp' },
        w.managers.subA1.token,
      );
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual([expect.objectContaining({ field: 'furigana', code: 'validation.isFurigana' })]);
    });

    it('imports a フリガナ column and lists workers 五十音順, those without フリガナ after', async () => {
      const csv =
        '氏名,フリガナ,メールアドレス,社員番号\n新人　一郎,しんじん いちろう,shinjin@example.jp,E10\n木村　次郎,ｷﾑﾗ ｼﾞﾛｳ,kimura@example.jp,E2\n鈴木　三郎,,suzuki@example.jp,\n誤り　例,Ayamari,bad@example.jp,\n';
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/v1/organizations/${w.subA1.id}/workers/import`,
        headers: { authorization: `Bearer ${w.managers.subA1.token}`, 'content-type': 'text/csv' },
        payload: Buffer.from(csv, 'utf8'),
      });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ created: 3, errorCount: 1, errors: [{ line: 5, code: 'csv.furigana_invalid' }] });
      const list = (await workers(w.managers.subA1.token, w.subA1.id)).body.items as { name: string; furigana: string | null }[];
      expect(list.map((x) => x.name)).toEqual(['木村　次郎', '佐藤　花子', '新人　一郎', '山田　太郎', '鈴木　三郎']);
      expect(list[0].furigana).toBe('キムラ ジロウ');
      // A re-import without the column keeps the stored フリガナ.
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/organizations/${w.subA1.id}/workers/import`,
        headers: { authorization: `Bearer ${w.managers.subA1.token}`, 'content-type': 'text/csv' },
        payload: Buffer.from('name,email\n木村　次郎,kimura@example.jp\n', 'utf8'),
      });
      const again = (await workers(w.managers.subA1.token, w.subA1.id)).body.items as { name: string; furigana: string | null }[];
      expect(again.find((x) => x.name === '木村　次郎')!.furigana).toBe('キムラ ジロウ');
      // Pages of two follow the same order.
      const first = await w.http.get(`/api/v1/organizations/${w.subA1.id}/workers?limit=2`, w.managers.subA1.token);
      const second = await w.http.get(
        `/api/v1/organizations/${w.subA1.id}/workers?limit=2&cursor=${first.body.nextCursor}`,
        w.managers.subA1.token,
      );
      expect([...first.body.items, ...second.body.items].map((x: { name: string }) => x.name)).toEqual(list.slice(0, 4).map((x) => x.name));
      // The manager's page shows the same order, with the reading.
      const page = await (await signIn(w.managers.subA1.email)).get('/manager');
      expect(page.text.indexOf('木村　次郎')).toBeLessThan(page.text.indexOf('佐藤　花子'));
      expect(page.text.indexOf('山田　太郎')).toBeLessThan(page.text.indexOf('鈴木　三郎'));
      expect(page.text).toContain('<span class="kana">キムラ ジロウ</span>');
    });
  });

  describe('unassigning a worker', () => {
    it('takes a worker off (audited), refuses while they hold a valid certificate and allows it once the town revokes', async () => {
      const free = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '外れ　太郎', 'off@example.jp');
      const certified = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '修了　花子', 'certified@example.jp');
      await w.http.post(`${w.E}/assignments`, { workerIds: [free.workerId, certified.workerId] }, w.managers.prime.token);
      let serial = '';
      for (const m of w.engagement.curriculum as string[]) {
        const r = await sit(t, w.http, certified.token, m, w.engagement.id);
        serial = r.body.certificate?.serial ?? serial;
      }
      expect(serial).not.toBe('');

      // Only a manager of the worker's own organization: others 404, other roles 403.
      expect((await w.http.call('DELETE', `${w.E}/assignments/${free.workerId}`, undefined, w.managers.subA.token)).status).toBe(404);
      expect((await w.http.call('DELETE', `${w.E}/assignments/${free.workerId}`, undefined, w.managers.outsider.token)).status).toBe(404);
      expect((await w.http.call('DELETE', `${w.E}/assignments/${free.workerId}`, undefined, w.staff.token)).status).toBe(403);

      const off = await w.http.call('DELETE', `${w.E}/assignments/${free.workerId}`, undefined, w.managers.prime.token);
      expect(off.status).toBe(200);
      expect(off.body).toEqual({ unassigned: free.workerId });
      const again = await w.http.call('DELETE', `${w.E}/assignments/${free.workerId}`, undefined, w.managers.prime.token);
      expect(again.status).toBe(404);
      expect(again.body.code).toBe('assignment.not_found');
      const events = await t.query<{ action: string; details: string }>(
        "SELECT action, details FROM audit_events WHERE action = 'assignments.deleted'",
      );
      expect(events).toHaveLength(1);
      expect(JSON.parse(events[0].details)).toMatchObject({ workerId: free.workerId, organizationId: w.prime.id });

      const refused = await w.http.call('DELETE', `${w.E}/assignments/${certified.workerId}`, undefined, w.managers.prime.token);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('assignment.certified');
      expect((await w.http.post(`/api/v1/certificates/${serial}/revocation`, { reason: '従事者の退職' }, w.staff.token)).status).toBe(200);
      expect((await w.http.call('DELETE', `${w.E}/assignments/${certified.workerId}`, undefined, w.managers.prime.token)).status).toBe(200);
    });

    it('has a button per assigned worker on the manager’s engagement page, which says why when refused', async () => {
      const held = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '画面　解除', 'page-off@example.jp');
      await w.http.post(`${w.E}/assignments`, { workerIds: [held.workerId] }, w.managers.prime.token);
      const b = await signIn(w.managers.prime.email);
      const page = await b.get(`/manager/engagements/${w.engagement.id}`);
      const action = `/manager/engagements/${w.engagement.id}/assignments/${held.workerId}/removal`;
      expect(page.text).toContain(`action="${action}"`);
      const r = await b.post(action, { _csrf: csrfOf(page.text) });
      expect(r.status).toBe(303);
      expect((await b.get(r.location!)).text).toContain('割当てを解除しました');
      const twice = await b.post(action, { _csrf: csrfOf(page.text) });
      expect((await b.get(twice.location!)).text).toContain('この従事者はこの契約に割り当てられていません');
    });
  });

  describe('codes, slips and the welcome', () => {
    it('reissues one worker’s code after a confirmation and shows it on a printable slip, never in a URL or a cache', async () => {
      const created = await w.http.post(
        `/api/v1/organizations/${w.prime.id}/workers`,
        { name: '伝票　太郎', furigana: 'でんぴょう たろう', email: 'slip@example.jp' },
        w.managers.prime.token,
      );
      await w.http.post(`${w.E}/assignments`, { workerIds: [created.body.id] }, w.managers.prime.token);
      const b = await signIn(w.managers.prime.email);
      const home = await b.get('/manager');
      expect(home.text).toContain(`href="/manager/workers/${created.body.id}/enrollment-code"`);
      const confirm = await b.get(`/manager/workers/${created.body.id}/enrollment-code`);
      expect(confirm.status).toBe(200);
      expect(confirm.text).toContain('以前のコードは使えなくなります');
      const slip = await b.post(`/manager/workers/${created.body.id}/enrollment-code`, { _csrf: csrfOf(confirm.text) });
      expect(slip.status).toBe(200);
      expect(slip.location).toBeUndefined();
      expect(slip.headers['cache-control']).toBe('no-store');
      const code = /<span class="slip__value slip__code">([0-9A-Z-]+)<\/span>/.exec(slip.text)![1];
      expect(code).toMatch(/^([0-9A-Z]{4}-){4}[0-9A-Z]{4}$/);
      expect(slip.text).toContain('slip@example.jp');
      expect(slip.text).toContain('デンピョウ タロウ');
      expect(slip.text).toContain('/enroll</span>');
      expect(slip.text).toContain('<svg');
      expect(slip.text).toContain('2027年1月4日'); // the engagement's start: the training's deadline
      expect(slip.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\sstyle=/i);
      // The old code stops working, the new one enrols.
      expect((await w.http.post('/api/v1/auth/enroll', { enrollmentCode: created.body.enrollmentCode, password: PASSWORD })).status).toBe(
        400,
      );
      expect((await w.http.post('/api/v1/auth/enroll', { enrollmentCode: code, password: PASSWORD })).status).toBe(200);
      // Enrolled: no more codes (API 409), and the page says so.
      const api = await w.http.post(`/api/v1/workers/${created.body.id}/enrollment-code`, {}, w.managers.prime.token);
      expect(api.status).toBe(409);
      expect(api.body.code).toBe('worker.already_enrolled');
      // Another organization's manager: 404.
      expect((await w.http.post(`/api/v1/workers/${created.body.id}/enrollment-code`, {}, w.managers.subA.token)).status).toBe(404);
    });

    it('prints the batch as slips after the confirmation', async () => {
      for (const n of [1, 2])
        await w.http.post(
          `/api/v1/organizations/${w.prime.id}/workers`,
          { name: `一括\u3000${n}`, email: `batch${n}@example.jp` },
          w.managers.prime.token,
        );
      const b = await signIn(w.managers.prime.email);
      const r = await b.submit('/manager/workers/enrollment-codes', '/manager/workers/enrollment-codes', {
        confirm: 'yes',
        output: 'slips',
      });
      expect(r.status).toBe(200);
      expect(r.headers['cache-control']).toBe('no-store');
      expect(r.text.match(/<section class="slip"/g)!.length).toBeGreaterThanOrEqual(2);
    });

    it('welcomes a newcomer after /enroll with their login ID and what comes next', async () => {
      const created = await w.http.post(
        `/api/v1/organizations/${w.prime.id}/workers`,
        { name: '新人　歓迎', email: 'welcome@example.jp' },
        w.managers.prime.token,
      );
      const b = pageClient(t.app);
      const r = await b.submit('/enroll', '/enroll', {
        enrollmentCode: created.body.enrollmentCode,
        password: 'welcome-pass-123',
        passwordConfirm: 'welcome-pass-123',
      });
      expect(r.status).toBe(303);
      const home = await b.get((await b.get(r.location!)).location!);
      expect(home.status).toBe(200);
      expect(home.text).toContain('利用登録が完了しました');
      expect(home.text).toMatch(/ログインID（メールアドレス）<\/dt><dd class="break welcome__login">welcome@example.jp/);
      expect(home.text).toContain('まだ契約に割り当てられていません');
      // Once only.
      expect((await b.get('/learn')).text).not.toContain('welcome__login');
    });
  });

  describe('the error summary (every error at once, linked to its field)', () => {
    it('on the manager’s engagement page: assigning nobody, and a subcontractor with a bad 法人番号', async () => {
      const b = await signIn(w.managers.prime.email);
      const page = await b.get(`/manager/engagements/${w.engagement.id}`);
      const none = await b.post(`/manager/engagements/${w.engagement.id}/assignments`, { _csrf: csrfOf(page.text) });
      expect(none.status).toBe(400);
      const s1 = errorSummaryOf(none.text)!;
      expect(s1).toHaveLength(1);
      expect(s1[0].href).toMatch(/^#w-[0-9a-f-]{36}$/);
      expect(none.text).toContain(`id="${s1[0].href!.slice(1)}"`);
      expect(none.text).toMatch(/<title>エラー: /);
      const sub = await b.post(`/manager/engagements/${w.engagement.id}/subcontractors`, {
        _csrf: csrfOf(page.text),
        name: '',
        corporateNumber: '1234567890123',
        contactEmail: 'not-an-address',
      });
      expect(sub.status).toBe(400);
      const s2 = errorSummaryOf(sub.text)!;
      expect(s2.map((x) => x.href)).toEqual(['#sub-name', '#sub-corporateNumber', '#sub-contactEmail']);
      expect(sub.text).toMatch(
        /id="sub-corporateNumber"[^>]*aria-invalid="true"[^>]*aria-describedby="sub-corporateNumber-hint sub-corporateNumber-error"/,
      );
    });

    it('on the town’s approvals (approve without 文書番号) and the new-engagement form (three errors at once)', async () => {
      const b = await signIn(w.staff.email);
      const page = await b.get('/town/approvals');
      const action = `/town/engagements/${w.engagement.id}/subcontractors/${w.subB.id}/decision`;
      const r = await b.post(action, {
        _csrf: csrfOf(page.text),
        next: '/town/approvals',
        decision: 'approve',
        decidedOn: '2026-12-01',
        reference: '',
      });
      expect(r.status).toBe(400);
      const s = errorSummaryOf(r.text)!;
      expect(s).toEqual([{ href: `#d-${w.subB.id.slice(0, 8)}-reference`, text: expect.any(String) }]);
      // The summary comes right after the page's heading.
      expect(r.text.indexOf('class="error-summary"')).toBeLessThan(r.text.indexOf('class="lead"'));

      const form = await b.get('/town/engagements/new');
      const bad = await b.post('/town/engagements', {
        _csrf: csrfOf(form.text),
        title: '',
        contractNumber: 'R8-900',
        primeContractorId: '',
        startsOn: '2027-04-01',
        endsOn: '2027-03-01',
      });
      expect(bad.status).toBe(400);
      expect(errorSummaryOf(bad.text)!.map((x) => x.href)).toEqual(['#title', '#primeContractorId', '#endsOn']);
      expect(bad.text).toContain('aria-describedby="title-error"');
    });
  });
});
