import { parseCsv } from '../../src/common/csv/csv';
import { daysUntil } from '../../src/common/dates';
import { TrackingService } from '../../src/reports/tracking.service';
import { enrolledWorker, PASSWORD, useWorld, World } from '../factories/world';
import type { TestApp } from '../utils/create-app';
import { pageClient, PageClient } from '../utils/page-client';
import { sit } from '../utils/quiz';

/*
 * Issue 20, part A: the users' day at a glance (badges, completion bars, 未登録 told from 未着手),
 * the revoked worker's page, the audit page and its CSV, approvals with their scope, the bulk
 * verification counting a serial once with its CSV. Pages through Fastify inject.
 */
describe("the users' day (issue 20 part A)", () => {
  let t: TestApp;
  let w: World;
  let certified: { workerId: string; token: string };
  let serial = '';

  useWorld((app, world) => ([t, w] = [app, world]));

  const signIn = async (email: string): Promise<PageClient> => {
    const b = pageClient(t.app);
    const r = await b.submit('/', '/login', { email, password: PASSWORD });
    if (r.status !== 303) throw new Error(`sign-in ${email}: ${r.status}`);
    return b;
  };

  beforeAll(async () => {
    // One certified worker of the prime, one enrolled who has not started, one registered and never enrolled.
    certified = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '修了　一郎', 'day-done@example.jp');
    const idle = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '未着手　二郎', 'day-idle@example.jp');
    const never = await w.http.post(
      `/api/v1/organizations/${w.prime.id}/workers`,
      { name: '未登録　三郎', email: 'day-never@example.jp' },
      w.managers.prime.token,
    );
    await w.http.post(`${w.E}/assignments`, { workerIds: [certified.workerId, idle.workerId, never.body.id] }, w.managers.prime.token);
    let last: any;
    for (const m of w.engagement.curriculum as string[]) last = await sit(t, w.http, certified.token, m, w.engagement.id);
    serial = last.body.certificate?.serial ?? last.body.serial;
    if (!serial) {
      const mine = await w.http.get('/api/v1/me/certificates', certified.token);
      serial = mine.body[0].serial;
    }
  });

  it('tells 未登録 from 未着手 on progress, with per-company bars drawn as SVG with a text equivalent', async () => {
    const b = await signIn(w.staff.email);
    const r = await b.get(`/engagements/${w.engagement.id}/progress`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('<dt>未登録</dt><dd>1</dd>');
    expect(r.text).toContain('<dt>未着手</dt><dd>1</dd>');
    expect(r.text).toContain('<figcaption id="progress-bar-caption" class="bars__caption">事業者ごとの修了状況</figcaption>');
    expect(r.text).toMatch(/<svg class="bars__bar" role="img" aria-labelledby="progress-bar-1-title"/);
    expect(r.text).toContain(`${w.prime.name}（元請）: 3人中 完了 1人、受講中 0人、未着手 1人、未登録 1人（33% 完了）`);
    expect(r.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\sstyle=/i);
    const filtered = await b.get(`/engagements/${w.engagement.id}/progress?status=not_enrolled`);
    expect(filtered.text).toContain('未登録　三郎');
    expect(filtered.text).not.toContain('未着手　二郎');
    const readiness = await b.get(`/engagements/${w.engagement.id}/readiness`);
    expect(readiness.text).toContain('readiness-bar-1-title');
    expect(readiness.text).toContain(`開始まで${daysUntil(w.engagement.startsOn)}日`);
  });

  it('shows each contract on /town with its verdict and the days until its start, from one batch read', async () => {
    const b = await signIn(w.staff.email);
    const r = await b.get('/town');
    expect(r.status).toBe(200);
    // subB waits for the town's consent, two workers are not certified: not ready.
    expect(r.text).toMatch(
      /class="glance glance--bad" href="\/engagements\/[0-9a-f-]{36}\/readiness"><span class="glance__word">開始できません（要対応 \d+件）<\/span>/,
    );
    expect(r.text).toContain(`開始まで${daysUntil(w.engagement.startsOn)}日`);
    const tracking = t.app.get(TrackingService);
    const g = await tracking.glance({ id: w.staff.id, role: 'town_staff', municipalityId: w.fuchu.id } as any, [w.engagement.id]);
    const readiness = await w.http.get(`${w.E}/readiness`, w.staff.token);
    expect(g.get(w.engagement.id)).toMatchObject({ ready: readiness.body.ready, blockers: readiness.body.counts.blockers });
    // Another town's staff see nothing of it.
    expect(
      (await tracking.glance({ id: w.otherStaff.id, role: 'town_staff', municipalityId: w.other.id } as any, [w.engagement.id])).size,
    ).toBe(0);
  });

  it('shows 受講の状況 per engagement on the manager home', async () => {
    const b = await signIn(w.managers.prime.email);
    const r = await b.get('/manager');
    expect(r.text).toContain('受講の状況');
    expect(r.text).toContain('修了証あり 1人 / 割当て 3人');
    expect(r.text).toMatch(/role="img" aria-labelledby="bars-[0-9a-f]{8}-1-title"/);
    // A subcontractor's manager sees their own company only.
    const sub = await signIn(w.managers.subB.email);
    expect((await sub.get('/manager')).text).not.toContain(w.prime.name + '（元請）:');
  });

  it('tells a revoked worker what happened and what to do, without "すべて修了" or a valid-looking expiry', async () => {
    expect((await w.http.post(`/api/v1/certificates/${serial}/revocation`, { reason: '名簿の誤り' }, w.staff.token)).status).toBe(200);
    const b = await signIn('day-done@example.jp');
    const r = await b.get('/learn');
    expect(r.text).toContain('この契約の修了証は取り消されています');
    expect(r.text).toMatch(/\d{4}年\d{1,2}月\d{1,2}日に、発注者（町）がこの修了証を取り消しました/);
    expect(r.text).toContain('取消しを解除できるのは町だけです');
    expect(r.text).toContain('次にすること');
    expect(r.text).not.toContain('すべて修了');
    expect(r.text).not.toContain('有効期限');
    expect(r.text).toContain('badge--revoked');
  });

  it('shows approvals with their engagement, parent, 法人番号 and filing date', async () => {
    const b = await signIn(w.staff.email);
    const r = await b.get('/town/approvals');
    expect(r.text).toContain(w.subB.name);
    expect(r.text).toContain(`${w.engagement.title}（契約番号 ${w.engagement.contractNumber}）`);
    expect(r.text).toMatch(/<dt>法人番号<\/dt><dd>\d{13}<\/dd>/);
    expect(r.text).toMatch(/<dt>届出日<\/dt><dd>\d{4}年\d{1,2}月\d{1,2}日<\/dd>/);
    expect(r.text).toContain(`<dt>委託元</dt><dd>${w.prime.name}</dd>`);
    expect(r.text).toContain('<dt>階層</dt><dd>第1次再委託先</dd>');
  });

  it('counts a serial pasted twice once, shows both dates and exports the result as CSV (audited)', async () => {
    const b = await signIn(w.staff.email);
    const page = await b.get('/town/certificates');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const serials = `${serial}\n${serial.toLowerCase()}\nZZZZ-ZZZZ-ZZZZ-Z`;
    const r = await b.post('/town/certificates/verify', { _csrf: csrf, serials });
    expect(r.text).toContain('確認結果（2件）');
    expect(r.text).toContain('1行を1件として数えました');
    expect(r.text).toContain('有効期間の開始');
    const csv = await b.post('/town/certificates/verify.csv', { _csrf: csrf, serials });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="verification-\d{4}-\d{2}-\d{2}\.csv"/);
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    const [header, ...rows] = parseCsv(csv.text.slice(1)).rows;
    expect(header).toEqual(['番号', '修了証番号', '状況', '氏名', '事業者', '契約', '発注者', '有効期間の開始', '有効期限']);
    expect(rows).toHaveLength(2);
    expect(rows[0][2]).toBe('取消し');
    expect(rows[0][3]).toBe('修了　一郎');
    expect(rows[0][8]).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日$/);
    const events = await t.query<{ details: string }>(
      "SELECT details FROM audit_events WHERE action = 'export.downloaded' AND target_type = 'certificate_list'",
    );
    expect(JSON.parse(events[0].details)).toMatchObject({ kind: 'verification_csv', rows: 2 });
    // Without the token the download is refused.
    expect((await b.post('/town/certificates/verify.csv', { serials })).status).toBe(403);
  });

  describe('the audit page', () => {
    it('shows town staff their municipality’s events in words, with names, JST and filters', async () => {
      const b = await signIn(w.staff.email);
      const r = await b.get('/town/audit');
      expect(r.status).toBe(200);
      expect(r.text).toContain('<h1>監査記録</h1>');
      expect(r.text).toContain('修了証の取消し');
      expect(r.text).toContain('再委託の承諾');
      expect(r.text).toMatch(/\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2} JST/);
      // Names, not UUIDs, for people on the town's engagements.
      expect(r.text).toMatch(/<td class="small">[^<]*（町職員）<\/td>/);
      const body = r.text.slice(r.text.indexOf('<tbody>'));
      expect(body).not.toMatch(/<td class="small">[0-9a-f]{8}-[0-9a-f]{4}-/);
      // Sign-ins belong to no engagement: not the town's to read.
      expect(body).not.toContain('<th scope="row" class="small">ログイン</th>');
      const revoked = await b.get('/town/audit?action=certificate.revoked');
      expect((revoked.text.match(/<tr>\s*<td class="nowrap small">/g) ?? []).length).toBe(1);
      expect(revoked.text).toContain('修了証: ' + serial);
      const none = await b.get('/town/audit?from=2000-01-01&to=2000-01-02');
      expect(none.text).toContain('条件に合う記録はありません');
      const bad = await b.get('/town/audit?action=bogus&from=2026-13-01');
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('id="action-error"');
      expect(bad.text).toContain('id="from-error"');
      // Another town's staff see none of it.
      const other = await signIn(w.otherStaff.email);
      const theirs = await other.get('/town/audit');
      expect(theirs.status).toBe(200);
      expect(theirs.text).toContain('条件に合う記録はありません');
      expect(theirs.text).not.toContain(w.engagement.title);
    });

    it('pages back in time with the cursor, and refuses a forged one next to the list', async () => {
      const b = await signIn(w.staff.email);
      // More events on the town's engagement than one page holds: progress CSV downloads are audited.
      for (let i = 0; i < 40; i++) expect((await w.http.get(`${w.E}/progress?format=csv`, w.staff.token)).status).toBe(200);
      const all = await t.query<{ n: number }>(
        'SELECT COUNT(*) AS n FROM audit_events a JOIN engagements e ON e.id = a.engagement_id WHERE e.municipality_id = ?',
        [w.fuchu.id],
      );
      const total = Number(all[0].n);
      expect(total).toBeGreaterThan(50);
      const first = await b.get('/town/audit');
      const next = /href="(\/town\/audit\?cursor[^"]+)"/
        .exec(first.text)![1]
        .replace(/&#x3D;/g, '=')
        .replace(/&amp;/g, '&');
      const second = await b.get(next);
      expect(second.status).toBe(200);
      const rows = (html: string) => (html.match(/<tr>\s*<td class="nowrap small">/g) ?? []).length;
      expect(rows(first.text) + rows(second.text)).toBe(Math.min(total, 100));
      expect(second.text).toContain('最新の記録に戻る');
      const forged = await b.get('/town/audit?cursor=nonsense');
      expect(forged.status).toBe(400);
    });

    it('exports the filtered trail as CSV for Excel (BOM, Japanese headers, JST) and records the export', async () => {
      const b = await signIn(w.staff.email);
      const r = await b.get(`/town/audit.csv?engagementId=${w.engagement.id}&action=certificate.revoked`);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toContain('text/csv');
      expect(r.text.charCodeAt(0)).toBe(0xfeff);
      const [header, ...rows] = parseCsv(r.text.slice(1)).rows;
      expect(header).toEqual(['通番', '日時（JST）', '種類', '操作した人', '対象', '契約', '詳細']);
      expect(rows).toHaveLength(1);
      expect(rows[0][1]).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2} JST$/);
      expect(rows[0][2]).toBe('修了証の取消し');
      expect(rows[0][4]).toBe(`修了証: ${serial}`);
      expect(rows[0][5]).toBe(w.engagement.title);
      const [event] = await t.query<{ details: string; actor_id: string }>(
        "SELECT details, actor_id FROM audit_events WHERE action = 'export.downloaded' AND target_type = 'audit_trail'",
      );
      expect(JSON.parse(event.details)).toMatchObject({ kind: 'audit_csv', rows: 1, action: 'certificate.revoked' });
      expect(event.actor_id).toBe(w.staff.id);
    });

    it('lets the admin read everything and nobody else in', async () => {
      const manager = await signIn(w.managers.prime.email);
      expect((await manager.get('/town/audit')).status).toBe(403);
      expect((await manager.get('/town/audit.csv')).status).toBe(403);
      const worker = await signIn('day-idle@example.jp');
      expect((await worker.get('/town/audit')).status).toBe(403);
      const asAdmin = await t.app.inject({
        method: 'GET',
        url: '/town/audit?action=auth.sign_in',
        headers: { accept: 'text/html', authorization: `Bearer ${w.admin.token}` },
      });
      expect(asAdmin.statusCode).toBe(200);
      expect(asAdmin.body).toContain('<th scope="row" class="small">ログイン</th>');
    });
  });
});
