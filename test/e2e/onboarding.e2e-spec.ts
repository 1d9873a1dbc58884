import { Writable } from 'node:stream';
import { OutboxMessage } from '../../src/mail/outbox-message.entity';
import { enrolledWorker, PASSWORD, useWorld, World } from '../factories/world';
import { TestApp } from '../utils/create-app';
import { csrfOf, errorSummaryOf, PageClient, signedIn } from '../utils/page-client';
import { sit } from '../utils/quiz';

/*
 * Issue 20, the last onboarding gaps, on the server: the sign-up slip right
 * after adding one worker (the code in a form's body, checked against the
 * stored hash); the next step after registering a company without a manager
 * (the "invite this company's manager" page and the rows that lead to it);
 * a form posted from one of several pages is refused on that same page.
 */
const logLines: string[] = [];

describe('onboarding without dead ends (issue 20)', () => {
  let t: TestApp;
  let w: World;
  useWorld((app, world) => ([t, w] = [app, world]), {
    env: { LOG_LEVEL: 'info' },
    logStream: new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  });

  const signIn = (email: string): Promise<PageClient> => signedIn(t.app, email, PASSWORD);
  /** The page as a browser reads its attributes (Handlebars writes `=` as `&#x3D;`). */
  const decoded = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
  const slipCode = (html: string) => /<span class="slip__value slip__code">([0-9A-Z-]+)<\/span>/.exec(html)?.[1];
  /** Every URL-like attribute of a page (links, form actions, sources). */
  const urls = (html: string) => [...html.matchAll(/\s(?:href|action|src)="([^"]*)"/g)].map((m) => m[1]);

  describe('the sign-up slip right after adding one worker', () => {
    /** Adds a worker on the page and answers the home page that shows their code once, and the code. */
    const addOnPage = async (b: PageClient, name: string, email: string) => {
      const added = await b.submit('/manager/workers/new', '/manager/workers', { name, email, furigana: 'すりっぷ いちろう' });
      expect(added.status).toBe(303);
      const home = await b.get(added.location!);
      const code = /<p class="enrollment-code">([0-9A-Z-]+)<\/p>/.exec(home.text)![1];
      const action = /<form method="post" action="(\/manager\/workers\/[0-9a-f-]{36}\/slip)"/.exec(home.text)![1];
      return { home, code, action, workerId: action.split('/')[3] };
    };

    it('offers the slip beside the code: a POST whose body carries the code, answered with the slip, never a URL, a log or a cache', async () => {
      const b = await signIn(w.managers.prime.email);
      const { home, code, action, workerId } = await addOnPage(b, '票　一郎', 'slip-one@example.jp');
      expect(home.text).toContain('印刷用の登録案内を表示する');
      expect(home.text).toContain(`<input type="hidden" name="enrollmentCode" value="${code}">`);
      for (const u of urls(home.text)) expect(u).not.toContain(code);
      const slip = await b.post(action, { _csrf: csrfOf(home.text), enrollmentCode: code });
      expect(slip.status).toBe(200);
      expect(slip.location).toBeUndefined();
      expect(slip.headers['cache-control']).toBe('no-store');
      expect(slip.text.match(/<section class="slip"/g)).toHaveLength(1);
      expect(slipCode(slip.text)).toBe(code);
      expect(slip.text).toContain('票　一郎 様');
      expect(slip.text).toContain('スリップ イチロウ');
      expect(slip.text).toContain('slip-one@example.jp');
      expect(slip.text).toContain('/enroll</span>');
      expect(slip.text).toContain('<svg');
      for (const u of urls(slip.text)) expect(u).not.toContain(code);
      // The same slip as a reissue prints, and the code still enrols: printing changed nothing.
      const audit = await t.query<{ details: string | null }>('SELECT details FROM audit_events');
      expect(audit.map((r) => r.details ?? '').join(' ')).not.toContain(code);
      expect(logLines.join('')).not.toContain(code);
      expect(logLines.join('')).toContain(`/manager/workers/${workerId}/slip`);
      // Typed by hand (lower case, no dashes, full width): the same worker's code, printed as issued.
      const typed = code.toLowerCase().replace(/-/g, '').replace('0', '０');
      const again = await b.post(action, { _csrf: csrfOf(home.text), enrollmentCode: typed });
      expect(again.status).toBe(200);
      expect(slipCode(again.text)).toBe(code);
      const enrolled = await w.http.post('/api/v1/auth/enroll', { enrollmentCode: code, password: PASSWORD });
      expect(enrolled.status).toBe(200);
      // Used to enrol: nothing prints any more, and the home page says why, at its top.
      const used = await b.post(action, { _csrf: csrfOf(home.text), enrollmentCode: code });
      expect(used.status).toBe(400);
      expect(used.text).not.toContain('class="slip');
      expect(errorSummaryOf(used.text)).toEqual([
        { href: null, text: expect.stringContaining('この登録コードでは登録案内を印刷できません') },
      ]);
      expect(used.text).toMatch(/<title>エラー: /);
    });

    it('prints nothing for a wrong, reissued or expired code, nor for another organization’s manager', async () => {
      const b = await signIn(w.managers.prime.email);
      const { home, code, action, workerId } = await addOnPage(b, '票　二郎', 'slip-two@example.jp');
      const csrf = csrfOf(home.text);
      const wrong = await b.post(action, { _csrf: csrf, enrollmentCode: 'ABCD-EFGH-JKMN-PQRS-TVWX' });
      expect(wrong.status).toBe(400);
      expect(wrong.text).not.toContain('class="slip');
      expect(errorSummaryOf(wrong.text)![0].text).toContain('コードを再発行…');
      const empty = await b.post(action, { _csrf: csrf, enrollmentCode: '' });
      expect(empty.status).toBe(400);
      // Another organization's manager: the worker does not exist for them, code or not.
      const other = await signIn(w.managers.subB.email);
      const otherHome = await other.get('/manager');
      expect((await other.post(action, { _csrf: csrfOf(otherHome.text), enrollmentCode: code })).status).toBe(404);
      // Expired: nothing prints.
      const [row] = await t.query<{ e: string }>('SELECT enrollment_code_expires_at AS e FROM workers WHERE id = ?', [workerId]);
      await t.query('UPDATE workers SET enrollment_code_expires_at = ? WHERE id = ?', [
        new Date(Date.now() - 1000).toISOString(),
        workerId,
      ]);
      expect((await b.post(action, { _csrf: csrf, enrollmentCode: code })).status).toBe(400);
      await t.query('UPDATE workers SET enrollment_code_expires_at = ? WHERE id = ?', [row.e, workerId]);
      expect((await b.post(action, { _csrf: csrf, enrollmentCode: code })).status).toBe(200);
      // Reissued: the earlier code prints nothing, the new one does.
      const reissued = await w.http.post(`/api/v1/workers/${workerId}/enrollment-code`, {}, w.managers.prime.token);
      expect(reissued.status).toBe(200);
      expect((await b.post(action, { _csrf: csrf, enrollmentCode: code })).status).toBe(400);
      const fresh = await b.post(action, { _csrf: csrf, enrollmentCode: reissued.body.enrollmentCode });
      expect(fresh.status).toBe(200);
      expect(slipCode(fresh.text)).toBe(reissued.body.enrollmentCode);
    });
  });

  describe('a company registered without a manager address gets a next step', () => {
    /** The manager invitations queued to `to`, newest last, with their one-time codes. */
    const invitations = async (to: string) =>
      (await t.dataSource.getRepository(OutboxMessage).find({ where: { kind: 'manager_invitation' }, order: { createdAt: 'ASC' } }))
        .filter((m) => m.recipient === to)
        .map((m) => m.params as { code: string; name?: string; organization: string; expiresAt: string });

    it('the town’s new prime: the flash and the engagement page lead to the invitation page, which invites through the e-mail flow', async () => {
      const b = await signIn(w.staff.email);
      const created = await b.submit('/town/engagements/new', '/town/engagements', {
        title: '窓口案内業務',
        contractNumber: 'R8-INV-1',
        primeContractorId: 'new',
        newPrimeName: '株式会社まだ管理者なし',
        startsOn: '2027-04-01',
        endsOn: '2028-03-31',
        handlesPersonalInfo: 'on',
      });
      expect(created.status).toBe(303);
      const engagementPath = created.location!;
      const page = await b.get(engagementPath);
      expect(page.text).toContain('元請の株式会社まだ管理者なしにはまだ管理者がいません。次に');
      expect(page.text).toContain('<h2 id="next-heading">次にすること</h2>');
      const href = /<a class="button button--primary" href="(\/organizations\/[0-9a-f-]{36}\/manager-invitation\?next=[^"]+)"/.exec(
        decoded(page.text),
      )![1];
      const orgId = href.split('/')[2];
      expect(decodeURIComponent(href.split('next=')[1])).toBe(engagementPath);
      expect(page.text).toContain('管理者未登録');

      const form = await b.get(href);
      expect(form.status).toBe(200);
      expect(form.text).toContain('株式会社まだ管理者なしにはまだ管理者がいません');
      expect(form.text).toContain(`<input type="hidden" name="next" value="${engagementPath}">`);
      const action = `/organizations/${orgId}/manager-invitation`;
      // Every error at once, in the summary.
      const bad = await b.post(action, { _csrf: csrfOf(form.text), next: engagementPath, name: '', email: 'not-an-address' });
      expect(bad.status).toBe(400);
      expect(errorSummaryOf(bad.text)!.map((s) => s.href)).toEqual(['#name', '#email']);
      expect(bad.text).toContain('管理者の氏名を入力してください。');

      const sent = await b.post(action, { _csrf: csrfOf(form.text), next: engagementPath, name: '招待　一子', email: 'typo@example.jp' });
      expect(sent.status).toBe(303);
      expect(sent.location).toBe(engagementPath);
      const after = await b.get(engagementPath);
      expect(after.text).toContain('招待　一子さん（typo@example.jp）に招待メールを送りました');
      expect(after.text).toContain('招待済み');
      expect(after.text).toContain('招待し直す');
      expect(after.text).not.toContain('<h2 id="next-heading">');
      const [first] = await invitations('typo@example.jp');
      expect(first).toMatchObject({ name: '招待　一子', organization: '株式会社まだ管理者なし' });
      const audited = await t.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM audit_events WHERE action = 'organization.manager_invited' AND target_id = ?`,
        [orgId],
      );
      expect(Number(audited[0].n)).toBe(1);

      // A mistyped address is corrected by inviting again: the first invitation stops working.
      const again = await b.get(href);
      expect(again.text).toContain('招待メールは送信済みです');
      expect(
        (await b.post(action, { _csrf: csrfOf(again.text), next: engagementPath, name: '招待　一子', email: 'right@example.jp' })).status,
      ).toBe(303);
      const [second] = await invitations('right@example.jp');
      const refused = await w.http.post('/api/v1/auth/invitation', {
        code: first.code,
        displayName: '誤り',
        password: 'a-long-password-1',
      });
      expect(refused.status).toBe(400);
      const accepted = await w.http.post('/api/v1/auth/invitation', {
        code: second.code,
        displayName: '招待　一子',
        password: 'a-long-password-1',
      });
      expect(accepted.status).toBe(200);
      const me = await w.http.get('/api/v1/me', accepted.body.token);
      expect(me.body).toMatchObject({ role: 'org_manager', organizationId: orgId, email: 'right@example.jp' });

      // It has a manager now: the town no longer controls it, the step is gone, the page is a 404.
      expect((await b.get(engagementPath)).text).not.toContain('管理者未登録');
      expect((await b.get(`/organizations/${orgId}/manager-invitation`)).status).toBe(404);
      const api = await w.http.post(
        `/api/v1/organizations/${orgId}/manager-invitations`,
        { name: 'x', email: 'x@example.jp' },
        w.staff.token,
      );
      expect(api.status).toBe(404);
      // Its own manager is told it has one (409), through the API and on the page.
      const own = await w.http.post(
        `/api/v1/organizations/${orgId}/manager-invitations`,
        { name: 'x', email: 'x@example.jp' },
        accepted.body.token,
      );
      expect(own.status).toBe(409);
      expect(own.body.code).toBe('organization.has_manager');
    });

    it('a parent’s new subcontractor: the flash and its row lead to the page; nobody else may invite', async () => {
      const b = await signIn(w.managers.prime.email);
      const engagementPath = `/manager/engagements/${w.engagement.id}`;
      const added = await b.submit(engagementPath, `${engagementPath}/subcontractors`, {
        organizationId: '',
        name: '下請まだ株式会社',
        corporateNumber: '',
        contactEmail: '',
      });
      expect(added.status).toBe(303);
      const page = await b.get(added.location!);
      expect(page.text).toContain('下請まだ株式会社にはまだ管理者がいません。次に、再委託先の一覧の「管理者を招待」から');
      const link = new RegExp(
        `<a href="(/organizations/([0-9a-f-]{36})/manager-invitation\\?next=${encodeURIComponent(engagementPath)})">管理者を招待<span class="visually-hidden">（下請まだ株式会社）</span>`,
      ).exec(decoded(page.text))!;
      const orgId = link[2];
      // Only the rows of companies this side registered and that have no manager carry the step.
      expect(decoded(page.text).match(/manager-invitation\?next=/g)).toHaveLength(1);
      // The town sees the company on the engagement, but did not register it: no step, and the page is a 404.
      const town = await signIn(w.staff.email);
      expect((await town.get(`/town/engagements/${w.engagement.id}`)).text).not.toContain(`/organizations/${orgId}/manager-invitation`);
      expect((await town.get(`/organizations/${orgId}/manager-invitation`)).status).toBe(404);
      expect(
        (
          await w.http.post(
            `/api/v1/organizations/${orgId}/manager-invitations`,
            { name: 'x', email: 'x@example.jp' },
            w.managers.subA.token,
          )
        ).status,
      ).toBe(404);
      // The registrar invites through the API too.
      const api = await w.http.post(
        `/api/v1/organizations/${orgId}/manager-invitations`,
        { name: '下請　管理', email: 'sub-boss@example.jp' },
        w.managers.prime.token,
      );
      expect(api.status).toBe(201);
      expect(api.body).toEqual({ organizationId: orgId, expiresAt: expect.any(String) });
      expect(new Date(api.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(13 * 86400_000);
      expect(await invitations('sub-boss@example.jp')).toHaveLength(1);
      expect((await b.get(engagementPath)).text).toContain('招待済み');
    });

    it('says an invitation went out when the form had the manager’s address', async () => {
      const b = await signIn(w.managers.prime.email);
      const engagementPath = `/manager/engagements/${w.engagement.id}`;
      const added = await b.submit(engagementPath, `${engagementPath}/subcontractors`, {
        organizationId: '',
        name: '下請招待済み株式会社',
        corporateNumber: '',
        contactEmail: 'boss@invited.example.jp',
      });
      const page = await b.get(added.location!);
      expect(page.text).toContain('同社の管理者としてboss@invited.example.jpに招待メールを送りました');
      expect(page.text).toContain('招待済み');
    });
  });

  describe('a form posted from one of several pages is refused on that same page', () => {
    it('the approval form on the readiness page: the readiness page again, its form open with the error summary', async () => {
      const b = await signIn(w.staff.email);
      const readiness = `/engagements/${w.engagement.id}/readiness`;
      const page = await b.get(readiness);
      expect(page.text).toContain(`<input type="hidden" name="next" value="${readiness}">`);
      const action = `/town/engagements/${w.engagement.id}/subcontractors/${w.subB.id}/decision`;
      const fields = { _csrf: csrfOf(page.text), decision: 'approve', decidedOn: '2026-12-02', reference: '' };
      const r = await b.post(action, { ...fields, next: readiness });
      expect(r.status).toBe(400);
      expect(r.text).toContain('<h1>契約開始の準備状況</h1>');
      expect(r.text).not.toContain('<h1>再委託の承認</h1>');
      expect(errorSummaryOf(r.text)).toEqual([{ href: `#d-${w.subB.id.slice(0, 8)}-reference`, text: expect.any(String) }]);
      expect(r.text).toContain(`id="d-${w.subB.id.slice(0, 8)}-reference"`);
      expect(r.text).toMatch(/<details class="decision-box" open>/);
      expect(r.text).toContain('value="2026-12-02"');
      // The same form on the engagement page comes back there, and on the approvals page there.
      const onEngagement = await b.post(action, { ...fields, next: `/town/engagements/${w.engagement.id}` });
      expect(onEngagement.status).toBe(400);
      expect(onEngagement.text).toContain(`<h2 id="tree-heading">`);
      const onApprovals = await b.post(action, { ...fields, next: '/town/approvals' });
      expect(onApprovals.text).toContain(`name="next" value="/town/approvals"`);
      expect(onApprovals.text).not.toContain('<h1>契約開始の準備状況</h1>');
      // A decision made there returns there.
      const done = await b.post(action, { ...fields, reference: '府総第9号', next: readiness });
      expect(done.status).toBe(303);
      expect(done.location).toBe(readiness);
    });

    it('“start the quiz” on a failed result during the cool-down: the result page says until when', async () => {
      const worker = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '冷却　中', 'cooling@example.jp');
      await w.http.post(`${w.E}/assignments`, { workerIds: [worker.workerId] }, w.managers.prime.token);
      const moduleId = (w.engagement.curriculum as string[])[0];
      for (let i = 0; i < 3; i++) await sit(t, w.http, worker.token, moduleId, w.engagement.id, false);
      const [last] = await t.query<{ id: string }>('SELECT id FROM attempts WHERE worker_id = ? ORDER BY started_at DESC', [
        worker.workerId,
      ]);
      const b = await signIn('cooling@example.jp');
      const resultPath = `/quiz/${last.id}/result`;
      const result = await b.get(resultPath);
      expect(result.text).toContain(`<input type="hidden" name="next" value="${resultPath}">`);
      const start = `/learn/${w.engagement.id}/${moduleId}/attempts`;
      const r = await b.post(start, { _csrf: csrfOf(result.text), next: resultPath });
      expect(r.status).toBe(303);
      expect(r.location).toBe(resultPath);
      expect((await b.get(resultPath)).text).toMatch(/notice--error[^>]*>\s*<p>[^<]*JST/);
      // From the lesson, back to the lesson; a `next` no page of ours sends is refused.
      const lesson = `/learn/${w.engagement.id}/${moduleId}`;
      const fromLesson = await b.post(start, { _csrf: csrfOf(result.text), next: lesson });
      expect(fromLesson.location).toBe(lesson);
      expect((await b.post(start, { _csrf: csrfOf(result.text), next: 'https://evil.example/' })).status).toBe(400);
      expect((await b.post(start, { _csrf: csrfOf(result.text) })).location).toBe(lesson);
    });
  });
});
