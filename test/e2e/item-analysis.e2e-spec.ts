import { randomUUID } from 'node:crypto';
import { parseCsv } from '../../src/common/csv/csv';
import { ContentService } from '../../src/content/content.service';
import { Attempt } from '../../src/training/attempt.entity';
import { Worker } from '../../src/workers/worker.entity';
import { ADMIN, buildWorld, enrolledWorker, login, PASSWORD, World, type Actor } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';
import { PageClient, signedIn } from '../utils/page-client';

interface StoredQuestion {
  id: string;
  multiple: boolean;
  choices: { key: string; id: string; correct: boolean }[];
}

/** The stored sitting of an attempt (tests only): each drawn question with its keys, file ids and key. */
async function storedSitting(t: TestApp, attemptId: string): Promise<StoredQuestion[]> {
  const [row] = await t.query<{ questions: string }>('SELECT questions FROM attempts WHERE id = ?', [attemptId]);
  return JSON.parse(row.questions);
}

/**
 * Item analysis (docs/item-analysis.md): who may see it (the admin and content
 * authors; everyone else 403), the figures over real sittings with known
 * answers, first or all sittings, the CSV, the pages, and that nothing in it
 * is about a person.
 */
describe('item analysis', () => {
  let t: TestApp;
  let w: World;
  let author: Actor;
  let worker: { token: string; workerId: string };
  /** Every sitting of `basics` taken below, with what was drawn and whether each answer was right. */
  const sittings: {
    attemptId: string;
    workerId: string;
    questions: StoredQuestion[];
    right: Map<string, boolean>;
    picked: Map<string, string[]>;
  }[] = [];
  const URL = '/api/v1/modules/basics/item-analysis';

  /** Starts and submits `basics`, answering right where `rightFor(index)` says so, else the first wrong choice. */
  const sit = async (who: { token: string; workerId: string }, rightFor: (i: number) => boolean) => {
    const a = await w.http.post('/api/v1/modules/basics/attempts', { engagementId: w.engagement.id }, who.token);
    expect(a.status).toBe(201);
    const questions = await storedSitting(t, a.body.attemptId);
    const right = new Map<string, boolean>();
    const picked = new Map<string, string[]>();
    const answers = questions.map((q, i) => {
      const ok = rightFor(i);
      right.set(q.id, ok);
      const keys = ok ? q.choices.filter((c) => c.correct).map((c) => c.key) : [q.choices.find((c) => !c.correct)!.key];
      picked.set(
        q.id,
        keys.map((k) => q.choices.find((c) => c.key === k)!.id),
      );
      return { questionId: q.id, choiceIds: keys };
    });
    const r = await w.http.post(`/api/v1/attempts/${a.body.attemptId}/submission`, { answers }, who.token);
    expect(r.status).toBe(200);
    sittings.push({ attemptId: a.body.attemptId, workerId: who.workerId, questions, right, picked });
    return r;
  };

  beforeAll(async () => {
    t = await createTestApp();
    w = await buildWorld(t);
    const created = await w.http.post(
      '/api/v1/users',
      { email: 'author@test.example.jp', displayName: '教材　作成者', password: PASSWORD, role: 'content_author' },
      w.admin.token,
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'content_author', municipalityId: null, organizationId: null });
    author = { ...(await login(w.http, 'author@test.example.jp', PASSWORD)), email: 'author@test.example.jp' };
    worker = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '分析　一郎', 'analysis-1@example.jp');
    const second = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '分析　二郎', 'analysis-2@example.jp');
    const third = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '分析　三郎', 'analysis-3@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [worker.workerId, second.workerId, third.workerId] }, w.managers.prime.token);
    // First sittings: all right, all wrong, the first half right. Then the all-wrong worker sits again, all right.
    await sit(worker, () => true);
    await sit(second, () => false);
    await sit(third, (i) => i < 3);
    await sit(second, () => true);
  });
  afterAll(() => t.close());

  describe('who sees it', () => {
    it('lets only the admin create a content author', async () => {
      const body = (email: string) => ({ email, displayName: 'x', password: PASSWORD, role: 'content_author' });
      expect((await w.http.post('/api/v1/users', body('a2@test.example.jp'), w.staff.token)).status).toBe(403);
      expect((await w.http.post('/api/v1/users', body('a3@test.example.jp'), w.managers.prime.token)).status).toBe(403);
      expect((await w.http.post('/api/v1/users', body('a4@test.example.jp'), author.token)).status).toBe(403);
      expect((await w.http.post('/api/v1/users', body('a5@test.example.jp'), worker.token)).status).toBe(403);
      const me = await w.http.get('/api/v1/me', author.token);
      expect(me.body).toEqual({ id: author.id, role: 'content_author', displayName: '教材　作成者', email: author.email });
    });

    it('serves the admin and content authors; town staff, managers and workers get 403', async () => {
      expect((await w.http.get(URL, w.admin.token)).status).toBe(200);
      expect((await w.http.get(URL, author.token)).status).toBe(200);
      for (const token of [w.staff.token, w.managers.prime.token, worker.token]) {
        expect((await w.http.get(URL, token)).status).toBe(403);
        expect((await w.http.get(`${URL}?format=csv`, token)).status).toBe(403);
      }
      expect((await w.http.get(URL)).status).toBe(401);
      expect((await w.http.get('/api/v1/modules/no-such-module/item-analysis', author.token)).status).toBe(404);
      expect((await w.http.get(`${URL}?revision=abc`, author.token)).status).toBe(400);
      expect((await w.http.get(`${URL}?attempts=some`, author.token)).status).toBe(400);
    });

    it('shows a content author the catalog and nothing about people, organizations or engagements', async () => {
      expect((await w.http.get('/api/v1/modules', author.token)).status).toBe(200);
      expect((await w.http.get('/api/v1/modules/basics', author.token)).status).toBe(200);
      const list = await w.http.get('/api/v1/engagements', author.token);
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([]);
      expect((await w.http.get(w.E, author.token)).status).toBe(403);
      expect((await w.http.get(`/api/v1/organizations/${w.prime.id}`, author.token)).status).toBe(403);
      expect((await w.http.get(`/api/v1/organizations/${w.prime.id}/workers`, author.token)).status).toBe(403);
      expect((await w.http.get(`${w.E}/progress`, author.token)).status).toBe(403);
      expect((await w.http.get('/api/v1/audit-events', author.token)).status).toBe(403);
      expect((await w.http.post('/api/v1/certificates/verify', { serials: [] }, author.token)).status).toBe(403);
    });
  });

  describe('the figures', () => {
    it('counts each worker’s first sitting by default, every sitting with attempts=all', async () => {
      const first = (await w.http.get(URL, author.token)).body;
      expect(first).toMatchObject({
        moduleId: 'basics',
        attempts: 'first',
        sittings: 3,
        thresholds: { minimumAttempts: 30, tooEasyFacility: 0.95 },
      });
      expect(first.revision).toBe(first.currentRevision);
      expect(first.revisions).toEqual([{ revision: first.revision, sittings: 4 }]);
      const all = (await w.http.get(`${URL}?attempts=all`, author.token)).body;
      expect(all).toMatchObject({ attempts: 'all', sittings: 4 });
    });

    it('gives each question its attempts, right answers, facility and choice counts by the file’s choice ids', async () => {
      const a = (await w.http.get(`${URL}?attempts=all`, author.token)).body;
      const bank = a.questions as any[];
      // Every question of the bank is listed, drawn or not, in the bank's order.
      expect(bank.map((q) => q.id)).toEqual(
        t.app
          .get(ContentService)
          .get('basics')
          .questions.map((q) => q.id),
      );
      for (const q of bank) {
        const drew = sittings.filter((s) => s.right.has(q.id));
        expect([q.id, q.attempts]).toEqual([q.id, drew.length]);
        expect([q.id, q.right]).toEqual([q.id, drew.filter((s) => s.right.get(q.id)).length]);
        expect(q.facility).toBe(drew.length ? q.right / drew.length : null);
        expect(q.unanswered).toBe(0);
        expect(q.flags).toEqual([]);
        // Choice ids are the file's (a, b, c, …), never the per-sitting keys; the key is marked.
        expect(q.choices.map((c: any) => c.id)).toEqual(expect.arrayContaining(['a', 'b', 'c', 'd']));
        expect(q.choices.some((c: any) => c.correct)).toBe(true);
        for (const c of q.choices) {
          expect(c.count).toBe(drew.filter((s) => s.picked.get(q.id)!.includes(c.id)).length);
          expect(c.text).toEqual({ ja: expect.any(String), en: expect.any(String) });
        }
        if (!q.multiple) expect(q.choices.reduce((n: number, c: any) => n + c.count, 0)).toBe(q.attempts);
      }
      // Six drawn questions per sitting.
      expect(bank.reduce((n, q) => n + q.attempts, 0)).toBe(6 * sittings.length);
    });

    it('has no personal data: no name, e-mail, worker, organization or engagement', async () => {
      for (const url of [URL, `${URL}?attempts=all`, `${URL}?format=csv`, `${URL}?format=csv&lang=en`]) {
        const r = await w.http.get(url, author.token);
        for (const secret of [
          '分析',
          'analysis-',
          w.engagement.id,
          w.prime.id,
          w.prime.name,
          ...sittings.flatMap((s) => [s.workerId, s.attemptId]),
        ])
          expect([url, r.text.includes(secret)]).toEqual([url, false]);
      }
    });

    it('answers an earlier revision without sittings with no questions', async () => {
      const a = (await w.http.get(`${URL}?revision=1`, author.token)).body;
      expect(a).toMatchObject({ revision: 1, sittings: 0, questions: [] });
    });

    it('flags a question everyone gets right and one only low scorers get right, from 30 attempts on', async () => {
      // 40 sittings of one fixed draw by 40 more workers (each their first), written straight to the
      // database (the answers are what matters): the first question always right; the second right
      // exactly when the other five are wrong.
      const template = sittings[0];
      const [easy, inverse] = template.questions;
      const keyOf = (q: StoredQuestion, right: boolean) =>
        right ? q.choices.filter((c) => c.correct).map((c) => c.key) : [q.choices.find((c) => !c.correct)!.key];
      const stored = await t.dataSource.getRepository(Attempt).findOneByOrFail({ id: template.attemptId });
      for (let i = 0; i < 40; i++) {
        const strong = i % 2 === 0;
        const at = new Date(Date.UTC(2026, 10, 1, 0, i));
        const workerId = randomUUID();
        await t.dataSource.getRepository(Worker).insert({
          id: workerId,
          organizationId: w.prime.id,
          name: `生成${i}`,
          email: `generated-${i}@example.jp`,
          employeeNumber: null,
          enrollmentCodeHash: null,
          enrollmentCodeExpiresAt: null,
          enrolledAt: at,
          createdAt: at,
          updatedAt: at,
        });
        await t.dataSource.getRepository(Attempt).insert({
          ...stored,
          id: randomUUID(),
          workerId,
          startedAt: at,
          expiresAt: at,
          submittedAt: at,
          answers: template.questions.map((q) => ({
            questionId: q.id,
            choiceKeys: keyOf(q, q === easy ? true : q === inverse ? !strong : strong),
          })),
          score: 0,
          passed: false,
        });
      }
      const a = (await w.http.get(`${URL}?attempts=all`, author.token)).body;
      const easyRow = a.questions.find((q: any) => q.id === easy.id);
      const inverseRow = a.questions.find((q: any) => q.id === inverse.id);
      expect(easyRow.attempts).toBeGreaterThanOrEqual(40);
      expect(easyRow.facility).toBeGreaterThanOrEqual(0.95);
      expect(easyRow.flags).toContain('too_easy');
      expect(inverseRow.discrimination).toBeLessThan(0);
      expect(inverseRow.flags).toEqual(['negative_discrimination']);
      // Each is its worker's first sitting.
      expect((await w.http.get(URL, author.token)).body.sittings).toBe(43);
      expect((await w.http.get(URL, author.token)).body.questions.find((q: any) => q.id === easy.id).flags).toContain('too_easy');
    });
  });

  describe('CSV', () => {
    it('answers Accept: text/csv or ?format=csv with UTF-8 with BOM, Japanese headers, one row per choice', async () => {
      const json = (await w.http.get(`${URL}?attempts=all`, author.token)).body;
      for (const r of [
        await w.http.get(`${URL}?attempts=all`, author.token, { accept: 'text/csv' }),
        await w.http.get(`${URL}?attempts=all&format=csv`, author.token),
      ]) {
        expect(r.status).toBe(200);
        expect(String(r.headers['content-type'])).toContain('text/csv');
        expect(String(r.headers['content-disposition'])).toMatch(/attachment; filename="item-analysis-basics-r\d+\.csv"/);
        expect(r.text.charCodeAt(0)).toBe(0xfeff);
        const rows = parseCsv(r.text.slice(1)).rows;
        expect(rows[0].slice(0, 4)).toEqual(['単元ID', '版', '対象の受験', '問題ID']);
        expect(rows[0]).toContain('識別指数');
        const choices = json.questions.reduce((n: number, q: any) => n + q.choices.length, 0);
        expect(rows.length - 1).toBe(choices);
        const flagged = json.questions.find((q: any) => q.flags.includes('too_easy'));
        const line = rows.find((x) => x[3] === flagged.id)!;
        expect(line[12]).toContain('ほぼ全員が正解');
        expect(Number(line[9])).toBeCloseTo(flagged.facility, 3);
        // The key is marked in its own column.
        expect(rows.filter((x) => x[3] === flagged.id && x[15] === 'はい').length).toBeGreaterThanOrEqual(1);
      }
    });

    it('writes English headers and texts with lang=en', async () => {
      const r = await w.http.get(`${URL}?format=csv&lang=en`, author.token);
      const rows = parseCsv(r.text.slice(1)).rows;
      expect(rows[0].slice(0, 4)).toEqual(['Module ID', 'Revision', 'Sittings analysed', 'Question ID']);
      expect(rows[1][5]).not.toMatch(/[ぁ-ん]/);
    });
  });

  describe('pages', () => {
    const signIn = (email: string, password = PASSWORD): Promise<PageClient> => signedIn(t.app, email, password);

    it('sends a content author home to the item analysis, with modules and their flagged counts', async () => {
      const b = await signIn(author.email);
      expect((await b.get('/')).location).toBe('/content/item-analysis');
      const list = await b.get('/content/item-analysis');
      expect(list.status).toBe(200);
      expect(list.text).toContain('設問分析');
      expect(list.text).toContain('href="/content/item-analysis/basics"');
      expect(list.text).toContain('特記事項の基本と教育の義務');
      const basicsRow = list.text.slice(list.text.indexOf('href="/content/item-analysis/basics"')).split('</tr>')[0];
      expect(basicsRow).toMatch(/<strong>[12]<\/strong>/);
      expect(basicsRow).toContain('ほぼ全員が正解 1');
    });

    it('shows a module: a table per question with facility, discrimination, choice counts, the key in words, flags and the CSV link', async () => {
      const b = await signIn(author.email);
      const page = await b.get('/content/item-analysis/basics?attempts=all');
      expect(page.status).toBe(200);
      expect(page.text).toContain('正答率');
      expect(page.text).toContain('識別指数');
      expect(page.text).toContain('✓ 正解');
      expect(page.text).toContain('⚠ ほぼ全員が正解');
      expect(page.text).toContain('⚠ 識別指数が負');
      const decoded = page.text.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
      expect(decoded).toMatch(/href="\/api\/v1\/modules\/basics\/item-analysis\?revision=\d+&attempts=all&format=csv&lang=ja"/);
      expect(page.text).not.toMatch(/分析\u3000|生成\d/);
      // The CSV link works with the page's session cookie.
      const href = /href="(\/api\/v1\/modules\/basics\/item-analysis[^"]+)"/.exec(decoded)![1];
      const csv = await b.get(href);
      expect(csv.status).toBe(200);
      expect(csv.text.charCodeAt(0)).toBe(0xfeff);
      // A query the API would refuse leads back to the plain page; an unknown module is a 404.
      expect((await b.get('/content/item-analysis/basics?revision=x')).location).toBe('/content/item-analysis/basics');
      expect((await b.get('/content/item-analysis/nope')).status).toBe(404);
    });

    it('serves the admin, and refuses town staff, managers and workers (403)', async () => {
      const admin = await signIn(ADMIN.email, ADMIN.password);
      expect((await admin.get('/content/item-analysis')).status).toBe(200);
      expect((await admin.get('/content/item-analysis/basics')).status).toBe(200);
      const staff = await signIn(w.staff.email);
      const manager = await signIn(w.managers.prime.email);
      const learner = await signIn('analysis-1@example.jp');
      for (const b of [staff, manager, learner]) {
        expect((await b.get('/content/item-analysis')).status).toBe(403);
        expect((await b.get('/content/item-analysis/basics')).status).toBe(403);
      }
      const authorPage = await signIn(author.email);
      expect((await authorPage.get('/town')).status).toBe(403);
      expect((await authorPage.get(`/engagements/${w.engagement.id}/progress`)).status).toBe(403);
    });
  });
});
