import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { buildWorld, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';
import { answerKey } from '../utils/quiz';

/*
 * The web application in a real browser (Debian's Chromium through
 * playwright-core) against the real app listening on 127.0.0.1. Run by
 * `npm run test:browser` (scripts/test-browser.js), which skips with a notice
 * when Chromium is absent. Screenshots of each role's main page go to
 * test-output/screenshots/ for review.
 */
// Code passed to page.evaluate() runs in the browser; the project compiles without the DOM library.
declare const document: any;

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');
const PASSWORD = 'correct-horse-battery';
const WORKER_PASSWORD = 'browser-worker-pass';

// A whole curriculum in a real browser takes a while.
jest.setTimeout(180_000);

describe('the web application in Chromium', () => {
  let t: TestApp;
  let w: World;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];
  let enrollmentCode = '';
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await createTestApp();
    w = await buildWorld(t);
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  const newPage = async (viewport = { width: 1280, height: 900 }): Promise<Page> => {
    const context = await browser.newContext({ viewport, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    contexts.push(context);
    const page = await context.newPage();
    // A script error or a CSP violation on any of our pages fails the test (checked in afterEach).
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    return page;
  };

  const signIn = async (page: Page, email: string, password = PASSWORD) => {
    await page.goto(`${base}/`);
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByLabel('パスワード').fill(password);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForLoadState('load');
  };

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

  it('a manager adds a worker, imports an Excel CSV (Shift_JIS) and assigns the worker', async () => {
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
  });

  it('the worker enrols with the code and passes every module of the engagement', async () => {
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
    await page.goto(`${base}/learn`);
    expect(await page.locator('.engagement .badge--large').textContent()).toBe('すべて修了');
    await expectAccessible(page);
    await shot(page, 'worker-home');
    await expectFitsPhone(page);
    // A lesson and a result, for review.
    await page.goto(`${base}/learn/${w.engagement.id}/${curriculum[0]}`);
    await shot(page, 'worker-lesson', false);
  });

  it('town staff approve a subcontractor on the approvals page', async () => {
    const page = await newPage();
    await signIn(page, w.staff.email);
    expect(page.url()).toBe(`${base}/town`);
    await expectAccessible(page);
    await shot(page, 'town-home');
    await expectFitsPhone(page);

    await page.getByRole('link', { name: '承認の手続きへ' }).click();
    await page.waitForURL(`${base}/town/approvals`);
    const block = page.locator('article.pending', { hasText: w.subB.name });
    await block.getByLabel('承諾する').check();
    await block.getByLabel('文書番号').fill('府情第2001号');
    await block.getByRole('button', { name: '記録する' }).click();
    await page.waitForURL(`${base}/town/approvals`);
    expect(await page.locator('.notice--success').textContent()).toContain(`${w.subB.name}の再委託を承諾しました`);
    const links = await t.query<{ status: string; reference: string }>('SELECT status, reference FROM subcontract_links WHERE organization_id = ?', [w.subB.id]);
    expect(links[0]).toMatchObject({ status: 'approved', reference: '府情第2001号' });
    await expectAccessible(page);
    await shot(page, 'town-approvals');

    await page.goto(`${base}/town/engagements/${w.engagement.id}`);
    await shot(page, 'town-engagement');
    await page.goto(`${base}/town/engagements/new`);
    await expectAccessible(page);
    await shot(page, 'town-engagement-new');
    await expectFitsPhone(page);
  });
});
