import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { enrolledWorker, World } from '../factories/world';
import { browserSuite, SHOTS } from '../utils/browser';
import type { TestApp } from '../utils/create-app';
import { answerKey, sit } from '../utils/quiz';

/*
 * The web application in a real browser (Debian's Chromium through
 * playwright-core) against the real app listening on 127.0.0.1. Run by
 * `npm run test:browser` (scripts/test-browser.js), which skips with a notice
 * when Chromium is absent. Screenshots of each role's main page, the
 * readiness page, the certificate and the verification page go to
 * test-output/screenshots/ for review.
 *
 * The world (test/factories/world.ts) is made so that the town's approval of
 * subB is the last thing between the engagement and "ready": subA1 is
 * approved up front, subB's one worker has completed the training (their
 * certificate held), the browser's worker certifies, and the engagement's
 * certificates (730 days) outlast its end date.
 */
// Code passed to page.evaluate() runs in the browser; the project compiles without the DOM library.
declare const document: any;
declare const getComputedStyle: (el: unknown) => { color: string };

const PASSWORD = 'correct-horse-battery';
const WORKER_PASSWORD = 'browser-worker-pass';

// A whole curriculum in a real browser takes a while.
jest.setTimeout(180_000);

describe('the web application in Chromium', () => {
  let t: TestApp;
  let w: World;
  let base: string;
  let enrollmentCode = '';
  /** The URL the worker's certificate encodes in its QR code (and prints beside it). */
  let qrUrl = '';
  let serial = '';

  const pages = browserSuite({
    prepare: async (app, world, url) => {
      [t, w, base] = [app, world, url];
      await w.http.post(
        `${w.E}/subcontractors/${w.subA1.id}/approval`,
        { approved: true, decidedOn: '2026-12-01', reference: '府総第102号' },
        w.staff.token,
      );
    },
  });
  const newPage = (viewport = { width: 1280, height: 900 }) => pages.newPage(viewport);
  const signIn = pages.signIn;

  /** Every visible form control has an accessible label, and the page declares its language. */
  const expectAccessible = async (page: Page) => {
    const unlabelled = await page.evaluate(() =>
      Array.from(document.querySelectorAll('input, select, textarea') as ArrayLike<any>)
        .filter((el) => el.type !== 'hidden' && !el.closest('[hidden]'))
        .filter((el) => !el.labels?.length && !el.getAttribute('aria-label'))
        .map((el) => String(el.outerHTML)),
    );
    expect(unlabelled).toEqual([]);
    expect(await page.getAttribute('html', 'lang')).toMatch(/^(ja|en)$/);
  };

  /** At a phone's 375 px the page scrolls only vertically (wide tables scroll inside their own box). */
  const expectFitsPhone = async (page: Page) => {
    const size = page.viewportSize()!;
    await page.setViewportSize({ width: 375, height: 812 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.setViewportSize(size);
  };

  const shot = (page: Page, name: string, fullPage = true) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });

  const colourOf = (locator: ReturnType<Page['locator']>) => locator.evaluate((el: any) => String(getComputedStyle(el).color));

  it('opens the sign-in page on a 375-px phone screen without sideways scrolling', async () => {
    const page = await newPage({ width: 375, height: 812 });
    await page.goto(`${base}/`);
    expect(await page.getAttribute('html', 'lang')).toBe('ja');
    await expect(page.getByRole('heading', { name: 'ログイン' }).isVisible()).resolves.toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await expectAccessible(page);
    await shot(page, 'sign-in-375px');
    // Keyboard: the first Tab lands on the skip link, which is then visible.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
    expect((await page.locator('.skip-link').boundingBox())!.y).toBeGreaterThanOrEqual(0);
    // The English switch is remembered.
    await page.getByRole('link', { name: 'English' }).click();
    await page.goto(`${base}/enroll`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  });

  it('a manager adds a worker, imports an Excel CSV (Shift_JIS), assigns the worker and downloads the progress CSV', async () => {
    const page = await newPage();
    await signIn(page, w.managers.prime.email);
    expect(page.url()).toBe(`${base}/manager`);

    await page.getByRole('link', { name: '従事者を登録' }).first().click();
    await page.getByLabel('氏名').fill('画面　受講者');
    await page.getByLabel('メールアドレス').fill('browser-trainee@example.jp');
    await page.getByRole('button', { name: '登録してコードを発行する' }).click();
    await page.waitForURL(`${base}/manager`);
    enrollmentCode = (await page.locator('.enrollment-code').textContent())!.trim();
    expect(enrollmentCode).toMatch(/^([0-9A-Z]{4}-){4}[0-9A-Z]{4}$/);

    await page.goto(`${base}/manager/workers/import`);
    await expectAccessible(page);
    expect(await page.locator('#file-upload').isVisible()).toBe(true); // shown by upload.js
    await page.getByLabel('CSVファイル').setInputFiles({
      name: 'workers.csv',
      mimeType: 'text/csv',
      buffer: readFileSync(join(__dirname, '..', 'fixtures', 'workers-sjis.csv')),
    });
    await page.getByRole('button', { name: '取り込む', exact: true }).click();
    await page.waitForURL(`${base}/manager/workers/import/result`);
    const expected = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'workers-sjis.expected.json'), 'utf8')) as unknown[];
    expect(await page.locator('.stats div:first-child dd').textContent()).toBe(String(expected.length));

    await shot(page, 'manager-import-result');
    await page.goto(`${base}/manager/engagements/${w.engagement.id}`);
    await expectAccessible(page);
    await page.getByLabel('画面　受講者').check();
    await page.getByRole('button', { name: '選択した従事者を割り当てる' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('.notice--success').textContent()).toContain('1人を割り当てました');
    await shot(page, 'manager-engagement');

    await page.goto(`${base}/manager`);
    await expectAccessible(page);
    await shot(page, 'manager-home');
    await expectFitsPhone(page);

    // Progress of the subtree, and its CSV for Excel.
    await page.goto(`${base}/manager/engagements/${w.engagement.id}`);
    await page.getByRole('link', { name: '受講状況' }).click();
    await page.waitForURL(`${base}/engagements/${w.engagement.id}/progress`);
    expect(await page.locator('.table--progress').first().textContent()).toContain('画面　受講者');
    await expectAccessible(page);
    await shot(page, 'manager-progress');
    await expectFitsPhone(page);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'CSVでダウンロード（Excel用）' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^progress-\d{4}-\d{2}-\d{2}\.csv$/);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.subarray(3).toString('utf8');
    expect(csv).toMatch(/^組織,階層,承認状況,氏名,社員番号,状況/);
    expect(csv).toContain('画面　受講者');
  });

  it('the worker enrols with the code, passes every module of the engagement and opens the certificate', async () => {
    const page = await newPage();
    await page.goto(`${base}/enroll`);
    await page.getByLabel('登録コード').fill(enrollmentCode.toLowerCase());
    await page.getByLabel('パスワード', { exact: true }).fill(WORKER_PASSWORD);
    await page.getByLabel('パスワード（確認）').fill(WORKER_PASSWORD);
    await page.getByRole('button', { name: '登録して研修を始める' }).click();
    await page.waitForURL(`${base}/learn`);
    await expectAccessible(page);
    await shot(page, 'worker-home-start');

    const curriculum = w.engagement.curriculum as string[];
    expect(curriculum.length).toBeGreaterThan(3);
    for (const [i, moduleId] of curriculum.entries()) {
      await page.goto(`${base}/learn/${w.engagement.id}/${moduleId}`);
      await page.getByRole('button', { name: '確認テストを始める' }).click();
      await page.waitForURL(/\/quiz\/[0-9a-f-]{36}$/);
      const attemptId = page.url().split('/').pop()!;
      const key = await answerKey(t, attemptId);
      if (i === 0) {
        await expectAccessible(page);
        await shot(page, 'worker-quiz', false);
        await expectFitsPhone(page);
      }
      for (const k of key.values()) for (const choice of k.correct) await page.locator(`#c-${choice}`).check();
      await page.getByRole('button', { name: '回答を送信する' }).click();
      await page.waitForURL(`${base}/quiz/${attemptId}/result`);
      expect(await page.locator('.result-summary__verdict').textContent()).toBe('合格です');
      if (i === 0) await shot(page, 'worker-result', false);
    }
    // The last pass issued the certificate: the result page says so and links to it.
    expect(await page.locator('.notice--success').first().textContent()).toContain('修了証が発行されました');
    await shot(page, 'worker-result-certificate', false);
    await page.getByRole('link', { name: '修了証を開く' }).click();
    await page.waitForURL(/\/certificates\/[0-9A-Z-]+$/);
    serial = page.url().split('/').pop()!;
    expect(await page.locator('h1').textContent()).toBe('情報セキュリティ研修修了証');
    expect(await page.locator('.holder').textContent()).toBe('画面　受講者');
    expect(await page.locator('.qr svg').count()).toBe(1);
    qrUrl = (await page.locator('.verification a').first().getAttribute('href'))!;
    expect(qrUrl).toBe(`${base}/verify/${serial}`);
    await shot(page, 'certificate');

    await page.goto(`${base}/learn`);
    expect(await page.locator('.engagement .badge--large').textContent()).toBe('すべて修了');
    expect(await page.locator('.cert-box').textContent()).toContain(serial);
    await expectAccessible(page);
    await shot(page, 'worker-home');
    await expectFitsPhone(page);
    await page.getByRole('link', { name: '修了証', exact: true }).click();
    await page.waitForURL(`${base}/learn/certificates`);
    await expectAccessible(page);
    await shot(page, 'worker-certificates');
    await expectFitsPhone(page);
    // A lesson and a result, for review.
    await page.goto(`${base}/learn/${w.engagement.id}/${curriculum[0]}`);
    await shot(page, 'worker-lesson', false);
  });

  it('town staff approve the last subcontractor from the readiness page and see it turn green', async () => {
    // subB's worker has done the training; their certificate waits for the town's consent.
    const held = await enrolledWorker(w.http, w.managers.subB.token, w.subB.id, '保留　花子', 'browser-held@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [held.workerId] }, w.managers.subB.token);
    for (const m of w.engagement.curriculum as string[])
      expect((await sit(t, w.http, held.token, m, w.engagement.id)).body.passed).toBe(true);

    const page = await newPage();
    await signIn(page, w.staff.email);
    expect(page.url()).toBe(`${base}/town`);
    await expectAccessible(page);
    await shot(page, 'town-home');
    await expectFitsPhone(page);
    await page.goto(`${base}/town/approvals`);
    await expectAccessible(page);
    await shot(page, 'town-approvals');

    await page.goto(`${base}/town/engagements/${w.engagement.id}`);
    await shot(page, 'town-engagement');
    await page.getByRole('link', { name: '準備状況（開始可否）' }).click();
    await page.waitForURL(`${base}/engagements/${w.engagement.id}/readiness`);
    const verdict = page.locator('.verdict__word');
    expect(await verdict.textContent()).toBe('開始できません');
    expect(await colourOf(verdict)).toBe('rgb(155, 28, 36)');
    const group = page.locator('article.blocker-group', { hasText: w.subB.name });
    expect(await group.textContent()).toContain('保留　花子');
    await expectAccessible(page);
    await shot(page, 'town-readiness-blocked');
    await expectFitsPhone(page);

    await group.getByText('承諾・不承諾を記録する').click();
    await group.getByLabel('承諾する').check();
    await group.getByLabel('文書番号').fill('府情第2001号');
    await group.getByRole('button', { name: '記録する' }).click();
    await page.waitForURL(`${base}/engagements/${w.engagement.id}/readiness`);
    expect(await page.locator('.notice--success').textContent()).toContain(`${w.subB.name}の再委託を承諾しました`);
    expect(await verdict.textContent()).toBe('開始可能');
    expect(await colourOf(verdict)).toBe('rgb(28, 100, 49)');
    expect(await page.locator('.blocker-group').count()).toBe(0);
    const links = await t.query<{ status: string; reference: string }>(
      'SELECT status, reference FROM subcontract_links WHERE organization_id = ?',
      [w.subB.id],
    );
    expect(links[0]).toMatchObject({ status: 'approved', reference: '府情第2001号' });
    await expectAccessible(page);
    await shot(page, 'town-readiness-ready');
    await expectFitsPhone(page);
    await page.getByRole('link', { name: '受講状況' }).first().click();
    await page.waitForURL(`${base}/engagements/${w.engagement.id}/progress`);
    expect(await page.locator('.dot--completed').count()).toBe(2 * (w.engagement.curriculum as string[]).length);
    await expectAccessible(page);
    await shot(page, 'town-progress');
    await expectFitsPhone(page);

    // Verification of a pasted list: the worker's certificate, and a serial nobody holds.
    await page.getByRole('link', { name: '修了証の確認' }).click();
    await page.waitForURL(`${base}/town/certificates`);
    await page.getByLabel('修了証番号').fill(`${serial}\nZZZZ-ZZZZ-ZZZZ-Z`);
    await page.getByRole('button', { name: '確認する' }).click();
    await page.waitForURL(`${base}/town/certificates/verify`);
    expect(await page.locator('h2#results-heading').textContent()).toBe('確認結果（2件）');
    expect(await page.locator('tbody tr').first().textContent()).toContain('画面　受講者');
    await expectAccessible(page);
    await shot(page, 'town-verify-list');
    await page.locator('tbody tr').first().getByRole('link', { name: '取り消す…' }).click();
    await page.waitForURL(`${base}/town/certificates/${serial}/revocation`);
    await expectAccessible(page);
    await shot(page, 'town-revoke-confirm');
    await expectFitsPhone(page);

    await page.goto(`${base}/town/engagements/new`);
    await expectAccessible(page);
    await shot(page, 'town-engagement-new');
    await expectFitsPhone(page);

    // The prime's manager sees the same verdict.
    const manager = await newPage();
    await signIn(manager, w.managers.prime.email);
    await manager.goto(`${base}/manager/engagements/${w.engagement.id}`);
    await manager.getByRole('link', { name: '準備状況（開始可否）' }).click();
    expect(await manager.locator('.verdict__word').textContent()).toBe('開始可能');
    await shot(manager, 'manager-readiness');
  });

  it("a 375-px phone opens the verification page from the certificate's QR code URL", async () => {
    const page = await newPage({ width: 375, height: 740 });
    await page.goto(qrUrl);
    expect(page.url()).toBe(`${base}/verify/${serial}`);
    expect(await page.getAttribute('html', 'lang')).toBe('ja');
    const verdict = page.locator('.verdict__word');
    expect(await verdict.textContent()).toBe('有効');
    expect(await colourOf(verdict)).toBe('rgb(28, 100, 49)');
    expect(await page.locator('.verdict').textContent()).toContain('画面 *'); // masked for the public
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await expectAccessible(page);
    await shot(page, 'verify-375px');
    // Typing a serial with a slip is caught by its check character.
    await page.getByLabel('修了証番号').fill(serial.slice(0, -1) + (serial.endsWith('0') ? '1' : '0'));
    await page.getByRole('button', { name: '確認する' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('#serial-error').textContent()).toContain('検査文字が一致しません');
    // That page answers 400 on purpose, which Chromium logs as a failed load.
    pages.problems.splice(0, pages.problems.length, ...pages.problems.filter((p) => !/status of 400/.test(p)));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await shot(page, 'verify-375px-mistyped');
  });

  it('a failed result teaches: each wrong answer shows the choice made and the correct one in words, on a phone too', async () => {
    const learner = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '復習　花子', 'review-browser@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [learner.workerId] }, w.managers.prime.token);
    const a = await w.http.post('/api/v1/modules/basics/attempts', { engagementId: w.engagement.id }, learner.token);
    const key = await answerKey(t, a.body.attemptId);
    const answers = [...key].map(([questionId, k]) => ({ questionId, choiceIds: [k.wrong[0]] }));
    expect((await w.http.post(`/api/v1/attempts/${a.body.attemptId}/submission`, { answers }, learner.token)).body.passed).toBe(false);
    const page = await newPage();
    await signIn(page, 'review-browser@example.jp');
    await page.goto(`${base}/quiz/${a.body.attemptId}/result`);
    expect(await page.locator('.result-summary__verdict').textContent()).toBe('不合格でした');
    expect(await page.locator('.review__item--wrong').count()).toBe(key.size);
    expect(await page.locator('.review__tag--chosen').count()).toBe(key.size);
    const correct = [...key.values()].reduce((n, k) => n + k.correct.length, 0);
    expect(await page.locator('.review__tag--correct').count()).toBe(correct);
    expect(await page.locator('.review__tag--correct').first().textContent()).toBe('正しい選択肢');
    await expectAccessible(page);
    await expectFitsPhone(page);
    await shot(page, 'worker-result-failed');
  });

  it('a content author lands on the item analysis, opens a module and downloads its CSV', async () => {
    const created = await w.http.post(
      '/api/v1/users',
      { email: 'author-browser@example.jp', displayName: '教材　担当', password: PASSWORD, role: 'content_author' },
      w.admin.token,
    );
    expect(created.status).toBe(201);
    const page = await newPage();
    await signIn(page, 'author-browser@example.jp');
    expect(page.url()).toBe(`${base}/content/item-analysis`);
    expect(await page.locator('h1').textContent()).toBe('設問分析');
    await expectAccessible(page);
    await expectFitsPhone(page);
    await shot(page, 'content-item-analysis');
    await page.getByRole('link', { name: '特記事項の基本と教育の義務' }).click();
    await page.waitForURL(`${base}/content/item-analysis/basics`);
    expect(await page.locator('.item').count()).toBeGreaterThanOrEqual(12);
    expect(await page.locator('.item__key').count()).toBeGreaterThanOrEqual(12);
    await expectAccessible(page);
    await expectFitsPhone(page);
    await shot(page, 'content-item-analysis-basics');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSVをダウンロード' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^item-analysis-basics-r\d+\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('識別指数');
  });
});
