import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { enrolledWorker, PASSWORD, World } from '../factories/world';
import { axeViolations, browserSuite, SHOTS, pdfPages } from '../utils/browser';
import type { TestApp } from '../utils/create-app';
import { sit } from '../utils/quiz';

/*
 * Issue 20, part B, in a real browser (Debian's Chromium through playwright-core):
 * the error summary takes the focus after a bad submit of the forms the issue
 * names; axe-core finds no violation on any main page of any role, desktop
 * (1280 px) and phone (375 px); phone tables stack without sideways scrolling;
 * the lesson's contents, the quiz's countdown and the sign-up slips. Screenshots
 * of every main page go to test-output/screenshots/ (git-ignored), named
 * <role>-<page>-<desktop|phone>.png.
 *
 * axe-core is loaded from node_modules as a file and evaluated through the
 * DevTools protocol (page.evaluate), which the page's CSP does not govern: the
 * application's CSP stays as strict as it is.
 */
// Code passed to page.evaluate() runs in the browser; the project compiles without the DOM library.
declare const document: any;

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };

jest.setTimeout(240_000);

describe("the users' day in Chromium (issue 20, part B)", () => {
  let t: TestApp;
  let w: World;
  let base: string;
  let author = '';
  let worker = { email: 'day-worker@example.jp', workerId: '' };

  const pages = browserSuite({
    allowBadRequests: true,
    prepare: async (app, world, url) => {
      [t, w, base] = [app, world, url];
      // A worker of the prime with フリガナ, assigned and part-way through the training, and one certified.
      const created = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '山田　太郎', worker.email);
      worker = { ...worker, workerId: created.workerId };
      const done = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '佐藤　花子', 'day-done@example.jp');
      await w.http.post(`${w.E}/assignments`, { workerIds: [created.workerId, done.workerId] }, w.managers.prime.token);
      for (const m of w.engagement.curriculum as string[]) await sit(t, w.http, done.token, m, w.engagement.id);
      await sit(t, w.http, created.token, (w.engagement.curriculum as string[])[0], w.engagement.id);
      // Workers not enrolled yet (for the code pages), one with a long company-like name to wrap.
      await w.http.post(
        `/api/v1/organizations/${w.prime.id}/workers`,
        { name: '未登録　一郎', furigana: 'みとうろく いちろう', email: 'day-new@example.jp', employeeNumber: 'E0042' },
        w.managers.prime.token,
      );
      author = 'day-author@example.jp';
      await w.http.post(
        '/api/v1/users',
        { email: author, displayName: '教材　担当', password: PASSWORD, role: 'content_author' },
        w.admin.token,
      );
    },
  });
  const newPage = (viewport = DESKTOP) => pages.newPage(viewport);
  const signIn = pages.signIn;

  const axe = axeViolations;

  /** The summary has the focus and lists `count` errors, each linking to an element of the page. */
  const expectSummaryFocused = async (page: Page, count: number) => {
    expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
    const links = await page.locator('.error-summary li a').evaluateAll((as: any[]) => as.map((a) => a.getAttribute('href')));
    expect(links).toHaveLength(count);
    for (const href of links) expect(await page.locator(href).count()).toBe(1);
    expect(await page.title()).toMatch(/^エラー: /);
  };

  it('focuses the error summary after a bad submit: assigning nobody, a bad 法人番号, approving without 文書番号, three errors at once', async () => {
    const page = await newPage();
    await signIn(page, w.managers.prime.email);
    await page.goto(`${base}/manager/engagements/${w.engagement.id}`);
    await page.getByRole('button', { name: '選択した従事者を割り当てる' }).click();
    await page.waitForLoadState('load');
    await expectSummaryFocused(page, 1);
    // The summary is in view at the top, not 1,450 px below.
    expect((await page.locator('.error-summary').boundingBox())!.y).toBeLessThan(800);
    await page.screenshot({ path: join(SHOTS, 'manager-engagement-error-summary-desktop.png') });
    // Its link takes the keyboard to the field.
    await page.locator('.error-summary a').first().click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('workerIds');

    await page.goto(`${base}/manager/engagements/${w.engagement.id}`);
    await page.locator('#sub-name').fill('新規　下請株式会社');
    await page.locator('#sub-corporateNumber').fill('1234567890123');
    await page.locator('#sub-contactEmail').fill('not-an-address');
    await page.getByRole('button', { name: '再委託先として届け出る' }).click();
    await page.waitForLoadState('load');
    await expectSummaryFocused(page, 2);
    expect(await page.locator('#sub-corporateNumber').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#sub-corporateNumber').getAttribute('aria-describedby')).toContain('sub-corporateNumber-error');
    expect(await axe(page)).toEqual([]);

    const town = await newPage();
    await signIn(town, w.staff.email);
    await town.goto(`${base}/town/approvals`);
    const group = town.locator('article.pending', { hasText: w.subB.name });
    await group.getByLabel('承諾する').check();
    await group.getByRole('button', { name: '記録する' }).click();
    await town.waitForLoadState('load');
    await expectSummaryFocused(town, 1);
    expect(await town.locator('.error-summary').textContent()).toContain('文書番号');
    expect(await axe(town)).toEqual([]);
    await town.screenshot({ path: join(SHOTS, 'town-approvals-error-summary-desktop.png') });

    await town.goto(`${base}/town/engagements/new`);
    await town.getByLabel('契約番号').fill('R8-B-900');
    await town.getByLabel('契約開始日').fill('2027-04-01');
    await town.getByLabel('契約終了日').fill('2027-03-01');
    await town.getByRole('button', { name: '契約を登録する' }).click();
    await town.waitForLoadState('load');
    await expectSummaryFocused(town, 3);
    expect(await axe(town)).toEqual([]);
    await town.screenshot({ path: join(SHOTS, 'town-engagement-new-error-summary-desktop.png'), fullPage: true });
  });

  it('prints the sign-up slips on A4, one page per worker, reached from the manager’s pages', async () => {
    const page = await newPage();
    await signIn(page, w.managers.prime.email);
    await page.getByRole('link', { name: '登録コードを再発行…' }).click();
    await page.waitForURL(`${base}/manager/workers/enrollment-codes`);
    expect(await axe(page)).toEqual([]);
    await page.getByRole('button', { name: '以前のコードを無効にして再発行する' }).click();
    await page.waitForLoadState('load');
    const slips = await page.locator('section.slip').count();
    expect(slips).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-print]').isVisible()).toBe(true); // shown by print-button.js
    expect(await page.locator('.slip__qr svg').count()).toBe(slips);
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'manager-slips-desktop.png'), fullPage: true });
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    expect(pdfPages(pdf)).toBe(slips);
  });

  it('shows the lesson’s contents and reading time, and the quiz’s countdown', async () => {
    const page = await newPage();
    await signIn(page, worker.email);
    const moduleId = (w.engagement.curriculum as string[])[1];
    await page.goto(`${base}/learn/${w.engagement.id}/${moduleId}`);
    expect(await page.locator('.reading-time').textContent()).toMatch(/^読了の目安: 約\d+分$/);
    const first = page.locator('.toc a').first();
    const target = (await first.getAttribute('href'))!;
    await first.click();
    expect(page.url()).toContain(target);
    expect(await page.locator(target).count()).toBe(1);
    await page.getByRole('button', { name: '確認テストを始める' }).click();
    await page.waitForURL(/\/quiz\/[0-9a-f-]{36}$/);
    const clock = page.locator('#countdown-clock');
    expect(await clock.isVisible()).toBe(true);
    expect(await clock.textContent()).toMatch(/^\d+:\d{2}$/);
    expect(await page.locator('#countdown-announce').getAttribute('aria-live')).toBe('polite');
    expect(await page.locator('#countdown-announce').textContent()).toBe('');
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'worker-quiz-desktop.png') });
  });

  /** Every main page of every role. */
  const PAGES: { role: string; who: string | null; pages: [string, () => string][] }[] = [
    {
      role: 'public',
      who: null,
      pages: [
        ['sign-in', () => '/'],
        ['enroll', () => '/enroll'],
        ['password-reset', () => '/password-reset'],
        ['verify', () => '/verify'],
      ],
    },
    {
      role: 'worker',
      who: 'day-worker@example.jp',
      pages: [
        ['home', () => '/learn'],
        ['certificates', () => '/learn/certificates'],
        ['lesson', () => `/learn/${w.engagement.id}/${(w.engagement.curriculum as string[])[0]}`],
      ],
    },
    {
      role: 'manager',
      who: 'prime',
      pages: [
        ['home', () => '/manager'],
        ['worker-new', () => '/manager/workers/new'],
        ['import', () => '/manager/workers/import'],
        ['engagement', () => `/manager/engagements/${w.engagement.id}`],
        ['progress', () => `/engagements/${w.engagement.id}/progress`],
        ['readiness', () => `/engagements/${w.engagement.id}/readiness`],
        ['codes-confirm', () => '/manager/workers/enrollment-codes'],
      ],
    },
    {
      role: 'town',
      who: 'staff',
      pages: [
        ['home', () => '/town'],
        ['approvals', () => '/town/approvals'],
        ['engagement-new', () => '/town/engagements/new'],
        ['engagement', () => `/town/engagements/${w.engagement.id}`],
        ['certificates', () => '/town/certificates'],
        ['progress', () => `/engagements/${w.engagement.id}/progress`],
        ['readiness', () => `/engagements/${w.engagement.id}/readiness`],
      ],
    },
    {
      role: 'admin',
      who: 'admin',
      pages: [
        ['home', () => '/admin'],
        ['outbox', () => '/admin/outbox'],
      ],
    },
    {
      role: 'author',
      who: 'author',
      pages: [
        ['item-analysis', () => '/content/item-analysis'],
        ['item-analysis-basics', () => '/content/item-analysis/basics'],
      ],
    },
  ];
  const emailOf = (who: string) =>
    who === 'prime'
      ? w.managers.prime.email
      : who === 'staff'
        ? w.staff.email
        : who === 'admin'
          ? 'admin@test.example.jp'
          : who === 'author'
            ? author
            : who;
  const passwordOf = (who: string) => (who === 'admin' ? 'admin-password-123' : PASSWORD);

  for (const { role, who, pages } of PAGES)
    it(`axe-core finds no violation on the ${role}'s main pages, desktop and phone, and phones never scroll sideways`, async () => {
      const found: string[] = [];
      for (const [label, viewport] of [
        ['desktop', DESKTOP],
        ['phone', PHONE],
      ] as const) {
        const page = await newPage(viewport);
        if (who) await signIn(page, emailOf(who), passwordOf(who));
        for (const [name, path] of pages) {
          const r = await page.goto(`${base}${path()}`);
          expect(r?.status()).toBe(200);
          for (const v of await axe(page)) found.push(`${role}-${name}-${label}: ${v}`);
          if (label === 'phone') expect([name, await page.evaluate(() => document.documentElement.scrollWidth)]).toEqual([name, 375]);
          await page.screenshot({ path: join(SHOTS, `${role}-${name}-${label}.png`), fullPage: true });
        }
      }
      expect(found).toEqual([]);
    });

  it('stacks the progress, /town and manager tables into cards on a phone, company names unbroken', async () => {
    const page = await newPage(PHONE);
    await signIn(page, w.staff.email);
    await page.goto(`${base}/town`);
    // The readiness link is inside the card, on screen.
    const link = page.getByRole('link', { name: '準備状況（開始可否）' }).first();
    const box = (await link.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(375);
    await page.goto(`${base}/engagements/${w.engagement.id}/progress`);
    // A company name is laid out on lines of several characters, not one character per line.
    const name = page.locator('.table .org-name').first();
    const size = (await name.boundingBox())!;
    expect(size.width).toBeGreaterThan(80);
    // Rows are cards: a cell starts below the row's heading, not beside it.
    const row = page.locator('.table--progress tbody tr').first();
    const head = (await row.locator('th').boundingBox())!;
    const cell = (await row.locator('td').first().boundingBox())!;
    expect(cell.y).toBeGreaterThanOrEqual(head.y + head.height - 1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(375);
  });
});
