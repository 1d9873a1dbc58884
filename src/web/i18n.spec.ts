import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_STATUS } from '../common/errors/error-codes';
import { MESSAGE_KEYS } from '../common/i18n/message-keys';
import { LOCALES_DIR, readLocales } from '../common/i18n/words';
import { lookup, t } from './i18n';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { messageKeysSource, OUT } = require('../../scripts/i18n-keys.js') as {
  messageKeysSource: (tree: unknown) => Promise<string>;
  OUT: string;
};

const ROOT = join(__dirname, '..', '..');
const LOCALES = readLocales();
const KEYS = [...LOCALES.ja.keys()];

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

/** Every template, and every source file that may name a key (not specs, not the generated key list). */
const VIEWS = files(join(ROOT, 'views'), '.hbs').map((f) => readFileSync(f, 'utf8'));
const SOURCES = files(join(ROOT, 'src'), '.ts')
  .filter((f) => !f.endsWith('.spec.ts') && f !== OUT)
  .map((f) => readFileSync(f, 'utf8'));

describe('the locale files', () => {
  it('have the same keys in Japanese and English, none empty', () => {
    expect([...LOCALES.en.keys()].sort()).toEqual([...KEYS].sort());
    for (const lang of ['ja', 'en'] as const) for (const [k, v] of LOCALES[lang]) expect([k, v.trim().length > 0]).toEqual([k, true]);
  });

  it('use the same parameters in both languages', () => {
    const params = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const k of KEYS) expect([k, params(LOCALES.en.get(k)!)]).toEqual([k, params(LOCALES.ja.get(k)!)]);
  });

  it('are what the typed key list says (npm run i18n:keys after a change)', async () => {
    expect([...MESSAGE_KEYS]).toEqual([...KEYS].sort());
    const tree = JSON.parse(readFileSync(join(LOCALES_DIR, 'ja.json'), 'utf8')) as unknown;
    expect(readFileSync(OUT, 'utf8')).toBe(await messageKeysSource(tree));
  });

  it('know every key a view names', () => {
    const used = new Set<string>();
    for (const v of VIEWS) for (const m of v.matchAll(/\(?\bt "([^"]+)"/g)) used.add(m[1]);
    expect(used.size).toBeGreaterThan(300);
    expect([...used].filter((k) => !LOCALES.ja.has(k))).toEqual([]);
  });

  it('hold no key that nothing uses', () => {
    // A key is used when a view or a source file names it, or when code builds it from a family's prefix
    // (`status.${status}` in TypeScript, (concat "status." status) in a view).
    const families = new Set<string>();
    for (const s of SOURCES) for (const m of s.matchAll(/`([a-z][\w.]*\.)\$\{/g)) families.add(m[1]);
    for (const v of VIEWS) for (const m of v.matchAll(/\(concat "([a-z][\w.]*\.)"/g)) families.add(m[1]);
    const named = (k: string) => VIEWS.some((v) => v.includes(`"${k}"`)) || SOURCES.some((s) => s.includes(`'${k}'`));
    const unused = KEYS.filter((k) => !named(k) && ![...families].some((f) => k.startsWith(f)));
    expect(unused).toEqual([]);
  });

  it('word every domain error code, and name no code that does not exist', () => {
    for (const code of Object.keys(ERROR_STATUS)) {
      expect([code, LOCALES.ja.has(`errors.${code}`)]).toEqual([code, true]);
      expect([code, LOCALES.en.has(`errors.${code}`)]).toEqual([code, true]);
    }
    const words = KEYS.filter((k) => k.startsWith('errors.')).map((k) => k.slice('errors.'.length));
    expect(words.filter((c) => !(c in ERROR_STATUS) && c !== 'internal')).toEqual([]);
  });

  it('fill parameters and fall back to the key', () => {
    expect(t('ja', 'worker.home.left', { left: 3 })).toBe('残り 3 単元');
    expect(t('en', 'worker.home.left', { left: 3 })).toBe('3 left');
    expect(lookup('en', 'no.such.key')).toBeUndefined();
    expect(lookup('en', 'worker.home.left', { left: 3 })).toBe('3 left');
  });
});
