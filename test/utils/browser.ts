import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { buildWorld, PASSWORD, type World } from '../factories/world';
import { createTestApp, type TestApp } from './create-app';

/** Debian's Chromium (never a downloaded browser), headless and without network chatter. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Starts the machine's Chromium for a spec (closed by the spec's afterAll). */
export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: ARGS });

/** Where the suite saves screenshots for review (git-ignored). */
export const SHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');

/** A port nobody listens on now, so the app can be told its public address before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The pieces every browser spec uses, once: a page in its own context (Japanese locale, JST) whose
 * script errors and console errors are collected into `problems` (each spec fails on them in
 * afterEach), and signing in through the sign-in form. `state` is read when called, since the
 * browser and the base URL exist only after the spec's beforeAll.
 */
export function browserPages(state: { browser: () => Browser; base: () => string; contexts: BrowserContext[]; problems: string[] }) {
  const newPage = async (
    viewport: { width: number; height: number },
    options: Pick<BrowserContextOptions, 'acceptDownloads' | 'javaScriptEnabled'> = {},
  ): Promise<Page> => {
    const context = await state.browser().newContext({ viewport, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', ...options });
    state.contexts.push(context);
    const page = await context.newPage();
    // A script error or a CSP violation on any of our pages fails the test.
    page.on('pageerror', (e) => state.problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') state.problems.push(`console: ${m.text()}`);
    });
    return page;
  };
  const signIn = async (page: Page, email: string, password = PASSWORD) => {
    await page.goto(`${state.base()}/`);
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByLabel('パスワード').fill(password);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForLoadState('load');
  };
  return { newPage, signIn };
}

/**
 * The life of a browser spec, once: before all, the application with the test world on a free port of
 * 127.0.0.1 (its public address, so links and QR codes lead back to it), `prepare(t, w, base)` after the
 * world is built and before the server listens (the spec's own data, and where it keeps `t`, `w` and
 * `base`), then Chromium; after each test, the pages' script and console errors fail it (`allowBadRequests`:
 * a 400 answer to a bad form is on purpose, and Chromium logs it as a failed load); after all, everything
 * closed. Returns browserPages' helpers and the `problems` list.
 */
export function browserSuite(
  options: { prepare?: (t: TestApp, w: World, base: string) => Promise<void> | void; allowBadRequests?: boolean } = {},
) {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  let base = '';
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createTestApp({ env: { PUBLIC_BASE_URL: base } });
    await options.prepare?.(t, await buildWorld(t), base);
    await t.app.listen(port, '127.0.0.1');
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });
  afterEach(() => {
    expect(problems.splice(0).filter((p) => !(options.allowBadRequests && /status of 400/.test(p)))).toEqual([]);
  });
  return { ...browserPages({ browser: () => browser!, base: () => base, contexts, problems }), problems };
}

// Code passed to page.evaluate() runs in the browser; the project compiles without the DOM library.
declare const document: any;
declare const window: any;

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's violations on the page as it is (WCAG 2.x A/AA and best practices), as readable lines.
 * axe-core is loaded from node_modules as a file and evaluated through the DevTools protocol
 * (page.evaluate), which the page's CSP does not govern: the application's CSP stays as strict as it is.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const violations = (await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ['violations'] }).then((r: any) => r.violations),
  )) as { id: string; impact: string; nodes: { target: string[] }[] }[];
  return violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The number of pages of a PDF written by Chromium (its page tree's `/Type /Page` objects). */
export function pdfPages(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
}
