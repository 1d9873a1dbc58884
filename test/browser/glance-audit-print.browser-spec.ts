import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { enrolledWorker, World } from '../factories/world';
import { browserSuite, SHOTS } from '../utils/browser';
import type { TestApp } from '../utils/create-app';
import { sit } from '../utils/quiz';

/*
 * Issue 20 part A in a real browser (Debian's Chromium through playwright-core): the printed
 * certificate (one A4 page) and Article 11 report (page numbers, Japanese labels only) read back from
 * Chromium's own page.pdf(); the /town badges; the completion bars' text equivalents; the revoked
 * worker's page; the audit page, its filters and CSV; approvals; the bulk verification counting a
 * serial once, with its CSV; one date style per context. Each page changed is saved as a screenshot
 * for review, desktop (1280 px) and phone (375 px), named by page, in test-output/screenshots/ (git-ignored).
 */
// Code passed to page.evaluate() runs in the browser; the project compiles without the DOM library.
declare const document: any;

const PDF_TEXT = join(__dirname, '..', 'utils', 'pdf-text.mjs');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };

jest.setTimeout(180_000);

/** What Chromium printed: the page count and each page's text (pdfjs-dist, in a child process: pdf.js loads its worker with a dynamic import(), kept out of Jest's module sandbox). */
function pdfText(pdf: Buffer): { pages: number; text: string[] } {
  const file = join(tmpdir(), `a4-${process.pid}-${Date.now()}.pdf`);
  writeFileSync(file, pdf);
  const run = spawnSync(process.execPath, [PDF_TEXT, file], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`pdf-text: ${run.stderr}`);
  return JSON.parse(run.stdout) as { pages: number; text: string[] };
}

describe("the users' day in Chromium (issue 20 part A)", () => {
  let t: TestApp;
  let w: World;
  let base: string;
  let serial = '';

  const pages = browserSuite({
    prepare: async (app, world, url) => {
      [t, w, base] = [app, world, url];
      // A certified worker of the prime, and enough people for a report of several pages.
      const done = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '印刷　太郎', 'print-done@example.jp');
      const ids = [done.workerId];
      for (let i = 0; i < 45; i++) {
        const r = await w.http.post(
          `/api/v1/organizations/${i % 2 ? w.prime.id : w.subA.id}/workers`,
          { name: `従事者\u3000${String(i + 1).padStart(2, '0')}`, email: `many-${i}@example.jp` },
          i % 2 ? w.managers.prime.token : w.managers.subA.token,
        );
        ids.push(r.body.id);
      }
      await w.http.post(`${w.E}/assignments`, { workerIds: ids.filter((_, i) => i === 0 || i % 2 === 0) }, w.managers.prime.token);
      await w.http.post(`${w.E}/assignments`, { workerIds: ids.filter((_, i) => i > 0 && i % 2 === 1) }, w.managers.subA.token);
      for (const m of w.engagement.curriculum as string[]) await sit(t, w.http, done.token, m, w.engagement.id);
      serial = (await w.http.get('/api/v1/me/certificates', done.token)).body[0].serial;
    },
  });
  const newPage = (viewport = DESKTOP) => pages.newPage(viewport, { acceptDownloads: true });
  const signIn = pages.signIn;

  /** The page at desktop and phone width, saved as `<name>-desktop.png` and `<name>-phone.png`; the phone never scrolls sideways. */
  const shots = async (page: Page, name: string) => {
    await page.setViewportSize(DESKTOP);
    await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
    await page.setViewportSize(PHONE);
    // What sticks out, if anything (tag.class and its right edge), so a failure names the culprit.
    const wide = await page.evaluate(
      (limit: number) =>
        document.documentElement.scrollWidth <= limit
          ? []
          : Array.from(document.querySelectorAll('body *') as ArrayLike<any>)
              .filter((el) => el.getBoundingClientRect().right > limit + 1 && !el.closest('.report-table, .table-wrap'))
              .slice(0, 5)
              .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`),
      PHONE.width,
    );
    expect(wide).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
  };

  /** Every chart on the page is an image with a non-empty text equivalent naming its numbers. */
  const expectChartsDescribed = async (page: Page, atLeast: number) => {
    const charts = await page.evaluate(() =>
      Array.from(document.querySelectorAll('svg.bars__bar') as ArrayLike<any>).map((svg) => {
        const id = svg.getAttribute('aria-labelledby');
        return {
          role: svg.getAttribute('role'),
          title: svg.querySelector('title')?.textContent ?? '',
          labelled: id ? (document.getElementById(id)?.textContent ?? '') : '',
        };
      }),
    );
    expect(charts.length).toBeGreaterThanOrEqual(atLeast);
    for (const c of charts) {
      expect(c.role).toBe('img');
      expect(c.title).toMatch(/完了 \d+人、受講中 \d+人、未着手 \d+人、未登録 \d+人|従事者が割り当てられていません/);
      expect(c.labelled).toBe(c.title);
    }
  };

  it('prints the certificate on one A4 page, with a print button (script file) and 和暦', async () => {
    const page = await newPage();
    await signIn(page, 'print-done@example.jp');
    await page.goto(`${base}/certificates/${serial}`);
    expect(await page.getByRole('button', { name: '印刷する' }).isVisible()).toBe(true); // shown by print-button.js
    expect(await page.locator('.facts').textContent()).toMatch(/令和\d+年\d+月\d+日/);
    const pdf = pdfText(await page.pdf({ format: 'A4' }));
    expect({ pages: pdf.pages, spilled: pdf.text.slice(1) }).toEqual({ pages: 1, spilled: [] });
    expect(pdf.text[0].replace(/\s+/g, '')).toContain(serial);
    await shots(page, 'certificate');
    // Without JavaScript the button stays hidden (the browser's own print works the same).
    const bare = await pages.newPage({ width: 1280, height: 720 }, { javaScriptEnabled: false });
    await bare.goto(`${base}/verify/${serial}`);
    expect(await bare.locator('h1').count()).toBe(1);
  });

  it('prints the Article 11 report with page numbers, Japanese labels only, every person and a way back', async () => {
    const page = await newPage();
    await signIn(page, w.staff.email);
    await page.goto(`${base}/engagements/${w.engagement.id}/report`);
    expect(await page.locator('.report-addressee').textContent()).toBe(`${w.fuchu.name}長 様`);
    expect(await page.getByRole('button', { name: '印刷する' }).isVisible()).toBe(true);
    const rows = await page.locator('section:has(h2:text("5. 従事者ごとの状況")) tbody tr').count();
    expect(rows).toBe(46);
    const pdf = pdfText(await page.pdf({ format: 'A4' }));
    expect(pdf.pages).toBeGreaterThanOrEqual(2);
    // The PDF's text comes in pieces with spaces between them: compare without white space.
    const pages = pdf.text.map((text) => text.replace(/\s+/g, ''));
    pages.forEach((text, i) => expect(text).toContain(`${i + 1}/${pdf.pages}`));
    const all = pages.join('');
    for (const id of w.engagement.curriculum as string[]) expect(pdf.text.join(' ')).not.toMatch(new RegExp(`\\b${id}\\b`));
    expect(pdf.text.join(' ')).not.toMatch(/\b[a-z][a-z-]+ r\d+\b/);
    expect(all).toContain(`${w.fuchu.name}長様`);
    expect(all).toContain('元請');
    expect(all).toContain('第1次再委託先');
    expect(all).toContain('第1、第2、第4');
    expect(all).toMatch(/令和\d+年\d+月\d+日/);
    expect(all).toContain('印刷太郎');
    expect(all).toContain('未登録');
    await shots(page, 'article11-report');
    await page.getByRole('link', { name: '準備状況に戻る' }).click();
    await page.waitForURL(`${base}/engagements/${w.engagement.id}/readiness`);
  });

  it('shows each contract on /town with a badge, and bars with text equivalents on readiness and progress', async () => {
    const page = await newPage();
    await signIn(page, w.staff.email);
    const badge = page.locator('a.glance').first();
    expect(await badge.textContent()).toMatch(/開始できません（要対応 \d+件） 開始まで\d+日/);
    expect(await page.locator('table').first().textContent()).toMatch(/2027年1月4日/); // 西暦 on pages
    expect(await page.locator('main').textContent()).not.toContain('令和');
    await shots(page, 'town-home');
    await badge.click();
    await page.waitForURL(`${base}/engagements/${w.engagement.id}/readiness`);
    await expectChartsDescribed(page, 3);
    await shots(page, 'readiness');
    await page.goto(`${base}/engagements/${w.engagement.id}/progress`);
    await expectChartsDescribed(page, 3);
    expect(await page.locator('.stats').textContent()).toContain('未登録');
    await shots(page, 'progress');
    await page.goto(`${base}/town/approvals`);
    expect(await page.locator('.approval-facts').first().textContent()).toMatch(/法人番号\s*\d{13}/);
    expect(await page.locator('.approval-facts').first().textContent()).toMatch(/届出日\s*\d{4}年\d{1,2}月\d{1,2}日/);
    await shots(page, 'town-approvals');
  });

  it("shows 受講の状況 with bars on the manager's home", async () => {
    const page = await newPage();
    await signIn(page, w.managers.prime.email);
    expect(await page.getByRole('heading', { name: '受講の状況' }).isVisible()).toBe(true);
    await expectChartsDescribed(page, 3);
    await shots(page, 'manager-home');
  });

  it('counts a serial pasted twice once in the bulk verification, and downloads the result as CSV', async () => {
    const page = await newPage();
    await signIn(page, w.staff.email);
    await page.goto(`${base}/town/certificates`);
    await page.getByLabel('修了証番号').fill(`${serial}\n${serial}\nZZZZ-ZZZZ-ZZZZ-Z`);
    await page.getByRole('button', { name: '確認する' }).click();
    await page.waitForURL(`${base}/town/certificates/verify`);
    expect(await page.locator('h2#results-heading').textContent()).toBe('確認結果（2件）');
    expect(await page.locator('thead').textContent()).toContain('有効期間の開始');
    await shots(page, 'town-verify-list');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '確認結果をCSVでダウンロード（Excel用）' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.slice(1)).toMatch(/^番号,修了証番号,状況,氏名,事業者,契約,発注者,有効期間の開始,有効期限\r\n/);
    expect(csv.trim().split('\r\n')).toHaveLength(3);
  });

  it('tells a revoked worker what happened and what to do next', async () => {
    expect((await w.http.post(`/api/v1/certificates/${serial}/revocation`, { reason: '名簿の誤り' }, w.staff.token)).status).toBe(200);
    const page = await newPage();
    await signIn(page, 'print-done@example.jp');
    const box = page.getByRole('region', { name: 'この契約の修了証は取り消されています（取消し）' });
    expect(await box.isVisible()).toBe(true);
    expect(await box.textContent()).toContain('取消しを解除できるのは町だけです');
    expect(await page.locator('main').textContent()).not.toContain('すべて修了');
    expect(await page.locator('.cert-box').count()).toBe(0);
    await shots(page, 'worker-home-revoked');
  });

  it('lets town staff filter the audit trail by keyboard, read it in words and JST, and download it', async () => {
    const page = await newPage();
    await signIn(page, w.staff.email);
    await page.getByRole('link', { name: '監査記録' }).click();
    await page.waitForURL(`${base}/town/audit`);
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(3);
    expect(await page.locator('tbody').textContent()).toMatch(/\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2} JST/);
    expect(await page.locator('tbody').textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/);
    await page.getByLabel('種類').selectOption({ label: '修了証の取消し' });
    await page.getByRole('button', { name: '絞り込む' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/action=certificate\.revoked/);
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody').textContent()).toContain(`修了証: ${serial}`);
    await shots(page, 'town-audit');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'CSVでダウンロード（Excel用）' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.slice(1)).toMatch(/^通番,日時（JST）,種類,操作した人,対象,契約,詳細\r\n/);
    expect(csv).toContain('修了証の取消し');
  });
});
