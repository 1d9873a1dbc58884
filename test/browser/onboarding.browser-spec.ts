import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { World } from '../factories/world';
import { axeViolations, browserSuite, SHOTS, pdfPages } from '../utils/browser';

/*
 * Issue 20, the last onboarding gaps, in a real browser (Debian's Chromium through playwright-core):
 * the sign-up slip printed right after adding one worker (one A4 page; the code in no URL); the next
 * step after the town registers a prime contractor without a manager, through the invitation page
 * (error summary focused, axe-core clean on desktop and phone); a refused approval on the readiness
 * page stays on the readiness page. Screenshots go to test-output/screenshots/ (git-ignored).
 */
// Code passed to page.evaluate() runs in the browser; the project compiles without the DOM library.
declare const document: any;

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };

jest.setTimeout(180_000);

describe('onboarding without dead ends in Chromium (issue 20)', () => {
  let w: World;
  let base: string;

  const pages = browserSuite({
    allowBadRequests: true,
    prepare: (_app, world, url) => {
      [w, base] = [world, url];
    },
  });
  const signIn = pages.signIn;

  /** The summary has the focus and lists `count` errors, each linking to an element of the page. */
  const expectSummaryFocused = async (page: Page, count: number) => {
    expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
    const links = await page.locator('.error-summary li a').evaluateAll((as: any[]) => as.map((a) => a.getAttribute('href')));
    expect(links).toHaveLength(count);
    for (const href of links) expect(await page.locator(href).count()).toBe(1);
    expect(await page.title()).toMatch(/^エラー: /);
  };

  it('prints the sign-up slip right after adding a worker: one A4 page, the code in no URL', async () => {
    const page = await pages.newPage(DESKTOP);
    await signIn(page, w.managers.prime.email);
    await page.getByRole('link', { name: '従事者を登録' }).first().click();
    await page.getByLabel('氏名').fill('印刷　花子');
    await page.getByLabel('フリガナ').fill('いんさつ はなこ');
    await page.getByLabel('メールアドレス').fill('print-slip@example.jp');
    await page.getByRole('button', { name: '登録してコードを発行する' }).click();
    await page.waitForURL(`${base}/manager`);
    const code = (await page.locator('.enrollment-code').textContent())!.trim();
    expect(code).toMatch(/^([0-9A-Z]{4}-){4}[0-9A-Z]{4}$/);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'manager-code-once-desktop.png') });
    await page.getByRole('button', { name: '印刷用の登録案内を表示する' }).click();
    await page.waitForURL(/\/manager\/workers\/[0-9a-f-]{36}\/slip$/);
    expect(page.url()).not.toContain(code);
    expect(await page.locator('section.slip').count()).toBe(1);
    expect((await page.locator('.slip__code').textContent())!.trim()).toBe(code);
    expect(await page.locator('.slip__kana').textContent()).toBe('インサツ ハナコ');
    expect(await page.locator('.slip__qr svg').count()).toBe(1);
    expect(await page.locator('[data-print]').isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'manager-slip-after-add-desktop.png'), fullPage: true });
    expect(pdfPages(await page.pdf({ format: 'A4', preferCSSPageSize: true }))).toBe(1);
    // The way back: the code is not shown again.
    await page.getByRole('link', { name: '事業者ホームへ戻る' }).click();
    await page.waitForURL(`${base}/manager`);
    expect(await page.locator('.enrollment-code').count()).toBe(0);
  });

  it('leads the town from a new prime without a manager to the invitation, and back', async () => {
    const page = await pages.newPage(DESKTOP);
    await signIn(page, w.staff.email);
    await page.goto(`${base}/town/engagements/new`);
    await page.getByLabel('業務名').fill('窓口案内業務');
    await page.getByLabel('契約番号').fill('R8-B-INV');
    await page.getByLabel('受託者', { exact: true }).selectOption('new');
    await page.getByLabel('事業者名').fill('株式会社あとで招待');
    await page.getByLabel('契約開始日').fill('2027-04-01');
    await page.getByLabel('契約終了日').fill('2028-03-31');
    await page.getByRole('button', { name: '契約を登録する' }).click();
    await page.waitForURL(/\/town\/engagements\/[0-9a-f-]{36}$/);
    const engagementUrl = page.url();
    expect(await page.locator('.notice--success').textContent()).toContain('元請の株式会社あとで招待にはまだ管理者がいません');
    expect(await page.locator('.next-manager').isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'town-engagement-next-step-desktop.png'), fullPage: true });

    await page
      .locator('.next-manager')
      .getByRole('link', { name: /管理者を招待/ })
      .click();
    await page.waitForURL(/\/organizations\/[0-9a-f-]{36}\/manager-invitation\?next=/);
    const invitationUrl = page.url();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: '招待メールを送る' }).click();
    await page.waitForLoadState('load');
    await expectSummaryFocused(page, 2);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'town-manager-invitation-error-summary-desktop.png'), fullPage: true });
    await page.getByLabel('管理者の氏名').fill('招待　次郎');
    await page.getByLabel('管理者のメールアドレス').fill('jiro@later.example.jp');
    await page.getByRole('button', { name: '招待メールを送る' }).click();
    await page.waitForURL(engagementUrl);
    expect(await page.locator('.notice--success').textContent()).toContain(
      '招待　次郎さん（jiro@later.example.jp）に招待メールを送りました',
    );
    expect(await page.locator('.next-manager').count()).toBe(0);
    expect(await page.locator('.manager-step').first().textContent()).toContain('招待済み');

    // On a phone: the invitation page fits, and axe-core finds nothing.
    const phone = await pages.newPage(PHONE);
    await signIn(phone, w.staff.email);
    expect((await phone.goto(invitationUrl))?.status()).toBe(200);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBe(375);
    expect(await axeViolations(phone)).toEqual([]);
    await phone.screenshot({ path: join(SHOTS, 'town-manager-invitation-phone.png'), fullPage: true });
  });

  it('keeps a refused approval on the readiness page it was posted from, the summary focused', async () => {
    const page = await pages.newPage(DESKTOP);
    await signIn(page, w.staff.email);
    const readiness = `${base}/engagements/${w.engagement.id}/readiness`;
    await page.goto(readiness);
    const group = page.locator('article.blocker-group', { hasText: w.subB.name });
    await group.locator('summary').click();
    await group.getByLabel('承諾する').check();
    await group.getByRole('button', { name: '記録する' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('h1').textContent()).toBe('契約開始の準備状況');
    await expectSummaryFocused(page, 1);
    // Its link takes the keyboard to the field, in the form left open.
    await page.locator('.error-summary a').first().click();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('reference');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'town-readiness-error-summary-desktop.png') });
  });
});
