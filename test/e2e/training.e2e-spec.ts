import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWorld, enrolledWorker, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';
import { answerKey, sit } from '../utils/quiz';

describe('taking the training', () => {
  let t: TestApp;
  let w: World;
  let worker: { token: string; workerId: string };

  beforeAll(async () => {
    t = await createTestApp();
    w = await buildWorld(t);
    worker = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '研修　受講者', 'trainee@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [worker.workerId] }, w.managers.prime.token);
  });
  afterAll(() => t.close());

  it('lists the catalog and serves a lesson in both languages', async () => {
    const catalog = await w.http.get('/api/v1/modules', worker.token);
    expect(catalog.body.length).toBeGreaterThanOrEqual(11);
    const ja = await w.http.get('/api/v1/modules/basics', worker.token);
    expect(ja.body.lessonHtml).toMatch(/<h2>/);
    expect(ja.body.lessonHtml).toMatch(/[ぁ-ん]/);
    const en = await w.http.get('/api/v1/modules/basics?lang=en', worker.token);
    expect(en.body.lessonHtml).not.toMatch(/[ぁ-ん]{5}/);
    expect((await w.http.get('/api/v1/modules/basics?lang=fr', worker.token)).status).toBe(400);
    expect((await w.http.get('/api/v1/modules/nope', worker.token)).status).toBe(404);
  });

  it('starts an attempt that reveals nothing about the answers, and reloads the same sitting', async () => {
    const a = await w.http.post('/api/v1/modules/basics/attempts', { engagementId: w.engagement.id }, worker.token);
    expect(a.status).toBe(201);
    expect(a.body.questions).toHaveLength(6);
    // No correctness anywhere: no such keys, and choice ids carry no order or letter.
    expect(a.text).not.toMatch(/correct|explanation|answer|isRight|score/i);
    for (const q of a.body.questions) {
      expect(Object.keys(q).sort()).toEqual(['choices', 'id', 'multiple', 'text']);
      for (const c of q.choices) {
        expect(Object.keys(c).sort()).toEqual(['id', 'text']);
        expect(c.id).toMatch(/^[0-9a-f]{6}$/);
      }
    }
    const again = await w.http.get(`/api/v1/attempts/${a.body.attemptId}`, worker.token);
    expect(again.body.questions).toEqual(a.body.questions);
    // Another worker cannot read it.
    const other = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '他人', 'other-trainee@example.jp');
    expect((await w.http.get(`/api/v1/attempts/${a.body.attemptId}`, other.token)).status).toBe(404);
  });

  it('shuffles: two sittings of a module differ in draw or order', async () => {
    const s1 = await w.http.post('/api/v1/modules/confidentiality/attempts', { engagementId: w.engagement.id }, worker.token);
    const s2 = await w.http.post('/api/v1/modules/confidentiality/attempts', { engagementId: w.engagement.id }, worker.token);
    const sig = (b: any) => b.questions.map((q: any) => q.id + ':' + q.choices.map((c: any) => c.text).join('|')).join(';');
    expect(sig(s1.body)).not.toEqual(sig(s2.body));
  });

  it('fails once, passes, and shows completed with the best score', async () => {
    const fail = await sit(t, w.http, worker.token, 'data-handling', w.engagement.id, false);
    expect(fail.status).toBe(200);
    expect(fail.body).toMatchObject({ score: 0, passed: false, certificate: null });
    expect(fail.body.results.every((r: any) => r.correct === false && /第3/.test(r.explanation))).toBe(true);
    let mine = await w.http.get('/api/v1/me/engagements', worker.token);
    const status = () => mine.body[0].modules.find((m: any) => m.moduleId === 'data-handling');
    expect(status()).toMatchObject({ status: 'in_progress', attempts: 1, bestScore: 0, completedAt: null });
    const pass = await sit(t, w.http, worker.token, 'data-handling', w.engagement.id, true);
    expect(pass.body).toMatchObject({ score: 100, passed: true });
    mine = await w.http.get('/api/v1/me/engagements', worker.token);
    expect(status()).toMatchObject({ status: 'completed', attempts: 2, bestScore: 100, completedAt: expect.any(String) });
    expect(mine.body[0].modules.find((m: any) => m.moduleId === 'my-number')).toBeUndefined();
    expect(mine.body[0].modules.find((m: any) => m.moduleId === 'no-takeout')).toMatchObject({ status: 'not_started' });
  });

  it('teaches after submission: every result names its correct choices, as served in the sitting, with the explanation', async () => {
    const a = await w.http.post('/api/v1/modules/personal-information/attempts?lang=en', { engagementId: w.engagement.id }, worker.token);
    expect(a.status).toBe(201);
    const key = await answerKey(t, a.body.attemptId);
    const served = new Map<string, { id: string; text: string }[]>(a.body.questions.map((q: any) => [q.id, q.choices]));
    // Half wrong, half right.
    const ids = [...key.keys()];
    const answers = ids.map((questionId, i) => ({
      questionId,
      choiceIds: i % 2 ? key.get(questionId)!.correct : [key.get(questionId)!.wrong[0]],
    }));
    const r = await w.http.post(`/api/v1/attempts/${a.body.attemptId}/submission?lang=en`, { answers }, worker.token);
    expect(r.status).toBe(200);
    for (const [i, result] of (r.body.results as any[]).entries()) {
      const k = key.get(result.questionId)!;
      expect(result.correct).toBe(i % 2 === 1);
      expect(result.explanation).toEqual(expect.any(String));
      // The ids are the sitting's own (as the client was served them), the texts in the language asked.
      expect(result.correctChoices.map((c: any) => c.id).sort()).toEqual([...k.correct].sort());
      for (const c of result.correctChoices) expect(c.text).toBe(served.get(result.questionId)!.find((x) => x.id === c.id)!.text);
      expect(result.correctChoices.every((c: any) => c.text && !/[ぁ-ん]/.test(c.text))).toBe(true);
    }
    // The sitting as served again after submission still carries no key: only the graded answer does.
    const again = await w.http.get(`/api/v1/attempts/${a.body.attemptId}`, worker.token);
    expect(again.body.submitted).toBe(true);
    expect(again.text).not.toMatch(/correct|explanation/i);
  });

  it('grades on the exact fraction: with pass mark 67, 4 of 6 right shows 67 and does not pass; at the mark it passes', async () => {
    const engagement = async (passMark: number, contractNumber: string) => {
      const e = await w.http.post(
        '/api/v1/engagements',
        {
          title: `合格基準${passMark}の業務`,
          contractNumber,
          primeContractorId: w.prime.id,
          startsOn: '2027-04-01',
          endsOn: '2027-12-31',
          handlesPersonalInfo: false,
          handlesMyNumber: false,
          usesCloudStorage: false,
          passMark,
        },
        w.staff.token,
      );
      expect(e.status).toBe(201);
      return e.body.id as string;
    };
    const learner = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '端数　確認', 'rounding@example.jp');
    const sitWith = async (engagementId: string, right: number) => {
      await w.http.post(`/api/v1/engagements/${engagementId}/assignments`, { workerIds: [learner.workerId] }, w.managers.prime.token);
      const a = await w.http.post('/api/v1/modules/basics/attempts', { engagementId }, learner.token);
      expect(a.body.questions).toHaveLength(6);
      const key = await answerKey(t, a.body.attemptId);
      const answers = [...key].map(([questionId, k], i) => ({ questionId, choiceIds: i < right ? k.correct : [k.wrong[0]] }));
      const r = await w.http.post(`/api/v1/attempts/${a.body.attemptId}/submission`, { answers }, learner.token);
      const [row] = await t.query('SELECT score, passed FROM attempts WHERE id = ?', [a.body.attemptId]);
      const completions = await t.query('SELECT id FROM completions WHERE attempt_id = ?', [a.body.attemptId]);
      return { body: r.body, stored: { score: Number(row.score), passed: Boolean(row.passed) }, completed: completions.length === 1 };
    };
    const e67 = await engagement(67, 'R8-967');
    // 4 of 6 = 66.67 %: shown (and stored) as 67, not passed, no completion.
    expect(await sitWith(e67, 4)).toMatchObject({
      body: { score: 67, passed: false, passMark: 67 },
      stored: { score: 67, passed: false },
      completed: false,
    });
    // 5 of 6 = 83.33 % passes.
    expect(await sitWith(e67, 5)).toMatchObject({ body: { score: 83, passed: true }, stored: { passed: true }, completed: true });
    // Exactly at the mark passes: 3 of 6 against 50.
    const e50 = await engagement(50, 'R8-950');
    expect(await sitWith(e50, 3)).toMatchObject({ body: { score: 50, passed: true, passMark: 50 }, completed: true });
  });

  it('refuses a second submission and changes nothing', async () => {
    const a = await w.http.post('/api/v1/modules/no-takeout/attempts', { engagementId: w.engagement.id }, worker.token);
    const key = await answerKey(t, a.body.attemptId);
    const right = [...key].map(([questionId, k]) => ({ questionId, choiceIds: k.correct }));
    const wrong = [...key].map(([questionId, k]) => ({ questionId, choiceIds: [k.wrong[0]] }));
    const first = await w.http.post(`/api/v1/attempts/${a.body.attemptId}/submission`, { answers: wrong }, worker.token);
    expect(first.body.passed).toBe(false);
    const second = await w.http.post(`/api/v1/attempts/${a.body.attemptId}/submission`, { answers: right }, worker.token);
    expect(second.status).toBe(409);
    const [row] = await t.query('SELECT score, passed FROM attempts WHERE id = ?', [a.body.attemptId]);
    expect(Number(row.score)).toBe(0);
    expect(await t.query('SELECT id FROM completions WHERE attempt_id = ?', [a.body.attemptId])).toEqual([]);
  });

  it('refuses an expired attempt, answers of other questions, and two choices on a single-answer question', async () => {
    const a = await w.http.post('/api/v1/modules/subcontracting/attempts', { engagementId: w.engagement.id }, worker.token);
    const key = await answerKey(t, a.body.attemptId);
    const [qid, k] = [...key][0];
    const single = a.body.questions.find((q: any) => !q.multiple);
    const url = `/api/v1/attempts/${a.body.attemptId}/submission`;
    expect((await w.http.post(url, { answers: [{ questionId: 'zzz', choiceIds: [] }] }, worker.token)).status).toBe(400);
    expect((await w.http.post(url, { answers: [{ questionId: qid, choiceIds: ['ffffff'] }] }, worker.token)).status).toBe(400);
    if (single) {
      const keys = single.choices.map((c: any) => c.id).slice(0, 2);
      expect((await w.http.post(url, { answers: [{ questionId: single.id, choiceIds: keys }] }, worker.token)).status).toBe(400);
    }
    await t.query('UPDATE attempts SET expires_at = ? WHERE id = ?', [new Date(Date.now() - 1000).toISOString(), a.body.attemptId]);
    const late = await w.http.post(url, { answers: [{ questionId: qid, choiceIds: k.correct }] }, worker.token);
    expect(late.status).toBe(409);
    expect(late.body.message).toMatch(/time limit/);
  });

  it('refuses a module outside the curriculum and a non-worker', async () => {
    expect((await w.http.post('/api/v1/modules/my-number/attempts', { engagementId: w.engagement.id }, worker.token)).status).toBe(409);
    expect((await w.http.post('/api/v1/modules/basics/attempts', { engagementId: w.engagement.id }, w.staff.token)).status).toBe(403);
    const stranger = await enrolledWorker(w.http, w.managers.subB.token, w.subB.id, '未配置', 'unassigned@example.jp');
    expect((await w.http.post('/api/v1/modules/basics/attempts', { engagementId: w.engagement.id }, stranger.token)).status).toBe(404);
  });

  it('cools down after three failures in a row', async () => {
    for (let i = 0; i < 3; i++)
      expect((await sit(t, w.http, worker.token, 'return-disposal', w.engagement.id, false)).body.passed).toBe(false);
    const blocked = await w.http.post('/api/v1/modules/return-disposal/attempts', { engagementId: w.engagement.id }, worker.token);
    expect(blocked.status).toBe(429);
    expect(blocked.body.message).toMatch(/3 failed attempts/);
    expect(blocked.body.code).toBe('training.cooling_down');
    // Every 429 says when to come back: the cool-down is 10 minutes from the last failure.
    const wait = Number(blocked.headers['retry-after']);
    expect(wait).toBeGreaterThan(540);
    expect(wait).toBeLessThanOrEqual(600);
    await t.query('UPDATE attempts SET submitted_at = ? WHERE module_id = ? AND worker_id = ?', [
      new Date(Date.now() - 11 * 60_000).toISOString(),
      'return-disposal',
      worker.workerId,
    ]);
    expect((await w.http.post('/api/v1/modules/return-disposal/attempts', { engagementId: w.engagement.id }, worker.token)).status).toBe(
      201,
    );
  });

  it('holds the cool-down at submission too: six sittings started first, then all failed', async () => {
    const late = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '後出　太郎', 'late-submitter@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [late.workerId] }, w.managers.prime.token);
    const started: string[] = [];
    for (let i = 0; i < 6; i++) {
      const a = await w.http.post('/api/v1/modules/basics/attempts', { engagementId: w.engagement.id }, late.token);
      expect(a.status).toBe(201);
      started.push(a.body.attemptId);
    }
    const statuses: number[] = [];
    for (const id of started) {
      const key = await answerKey(t, id);
      const answers = [...key].map(([questionId, k]) => ({ questionId, choiceIds: [k.wrong[0]] }));
      statuses.push((await w.http.post(`/api/v1/attempts/${id}/submission`, { answers }, late.token)).status);
    }
    // Three failures in a row start the cool-down; the sittings started before it are not graded during it.
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    const graded = await t.query('SELECT id FROM attempts WHERE worker_id = ? AND submitted_at IS NOT NULL', [late.workerId]);
    expect(graded).toHaveLength(3);
  });

  it('counts a completion for a second engagement without a retake', async () => {
    const second = await w.http.post(
      '/api/v1/engagements',
      {
        title: '第二の業務',
        contractNumber: 'R8-900',
        primeContractorId: w.prime.id,
        startsOn: '2027-05-01',
        endsOn: '2027-12-31',
        handlesPersonalInfo: false,
        handlesMyNumber: false,
        usesCloudStorage: false,
      },
      w.staff.token,
    );
    await w.http.post(`/api/v1/engagements/${second.body.id}/assignments`, { workerIds: [worker.workerId] }, w.managers.prime.token);
    const mine = await w.http.get('/api/v1/me/engagements', worker.token);
    const e2 = mine.body.find((x: any) => x.engagement.id === second.body.id);
    expect(e2.modules.find((m: any) => m.moduleId === 'data-handling').status).toBe('completed');
  });

  it('lands 50 concurrent submissions of 50 different attempts exactly once each', async () => {
    const workers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => enrolledWorker(w.http, w.managers.prime.token, w.prime.id, `並行${i}`, `conc${i}@example.jp`)),
    );
    await w.http.post(`${w.E}/assignments`, { workerIds: workers.map((x) => x.workerId) }, w.managers.prime.token);
    const started = await Promise.all(
      workers.map((x) => w.http.post('/api/v1/modules/basics/attempts', { engagementId: w.engagement.id }, x.token)),
    );
    const bodies = await Promise.all(
      started.map(async (a) => {
        const key = await answerKey(t, a.body.attemptId);
        return { id: a.body.attemptId, answers: [...key].map(([questionId, k]) => ({ questionId, choiceIds: k.correct })) };
      }),
    );
    const results = await Promise.all(
      bodies.map((b, i) => w.http.post(`/api/v1/attempts/${b.id}/submission`, { answers: b.answers }, workers[i].token)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const ids = bodies.map((b) => b.id);
    const rows = await t.query(`SELECT attempt_id FROM completions WHERE attempt_id IN (${ids.map(() => '?').join(',')})`, ids);
    expect(rows).toHaveLength(50);
    // And a second wave of the same submissions, all at once, changes nothing.
    const again = await Promise.all(
      bodies.map((b, i) => w.http.post(`/api/v1/attempts/${b.id}/submission`, { answers: b.answers }, workers[i].token)),
    );
    expect(again.map((r) => r.status)).toEqual(Array(50).fill(409));
    expect(await t.query(`SELECT attempt_id FROM completions WHERE attempt_id IN (${ids.map(() => '?').join(',')})`, ids)).toHaveLength(50);
  });
});

describe('content revision bump', () => {
  it('stops counting completions below minimumRevision and keeps those at or above', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'a4lms-content-'));
    cpSync(join(__dirname, '..', '..', 'content'), dir, { recursive: true });
    const t1 = await createTestApp({ env: { CONTENT_DIR: dir } });
    const w = await buildWorld(t1);
    const a = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '旧版　修了', 'old@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [a.workerId] }, w.managers.prime.token);
    expect((await sit(t1, w.http, a.token, 'basics', w.engagement.id)).body.passed).toBe(true);
    await t1.close({ keepData: true });

    // The next revision that still accepts the current one: the completion counts.
    // (Read from the file: the content's own revision changes as modules are rewritten.)
    const yaml = join(dir, 'modules', 'basics', 'module.yaml');
    const original = readFileSync(yaml, 'utf8');
    const current = Number(/^revision: (\d+)$/m.exec(original)![1]);
    const next = original.replace(/^revision: \d+$/m, `revision: ${current + 1}`);
    writeFileSync(yaml, next);
    const t2 = await createTestApp({ env: { CONTENT_DIR: dir }, reuse: t1 });
    const status = async (t: TestApp) => {
      const token = (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'old@example.jp', password: 'correct-horse-battery' },
        })
      ).json().token;
      const mine = (
        await t.app.inject({ method: 'GET', url: '/api/v1/me/engagements', headers: { authorization: `Bearer ${token}` } })
      ).json();
      return mine[0].modules.find((m: any) => m.moduleId === 'basics').status;
    };
    expect(await status(t2)).toBe('completed');
    await t2.close({ keepData: true });

    // The next revision with minimumRevision raised to it: the old completion no longer counts.
    writeFileSync(yaml, next.replace(/^minimumRevision: \d+$/m, `minimumRevision: ${current + 1}`));
    const t3 = await createTestApp({ env: { CONTENT_DIR: dir }, reuse: t1 });
    expect(await status(t3)).toBe('in_progress');
    await t3.close();
  });
});
