import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DICTIONARY, t } from './i18n';

const ROOT = join(__dirname, '..', '..');

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

/** Templates of the web application (other features keep their own wording). */
const OUR_VIEWS = [
  'layouts/main.hbs',
  'partials',
  'auth',
  'admin',
  'mail',
  'worker',
  'manager',
  'town',
  'tracking',
  'errors',
  'certificates/verify.hbs',
  'content',
];

describe('the UI dictionary', () => {
  it('has the same keys in Japanese and English, none empty', () => {
    expect(Object.keys(DICTIONARY.en).sort()).toEqual(Object.keys(DICTIONARY.ja).sort());
    for (const lang of ['ja', 'en'] as const)
      for (const [k, v] of Object.entries(DICTIONARY[lang])) expect([k, v.trim().length > 0]).toEqual([k, true]);
  });

  it('uses the same parameters in both languages', () => {
    const params = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const k of Object.keys(DICTIONARY.ja)) expect([k, params(DICTIONARY.en[k])]).toEqual([k, params(DICTIONARY.ja[k])]);
  });

  it('knows every key a view or page names', () => {
    const views = OUR_VIEWS.flatMap((v) => {
      const p = join(ROOT, 'views', v);
      return statSync(p).isDirectory() ? files(p, '.hbs') : [p];
    });
    const used = new Set<string>();
    for (const f of views) for (const m of readFileSync(f, 'utf8').matchAll(/\(?\bt "([^"]+)"/g)) used.add(m[1]);
    for (const f of files(join(ROOT, 'src', 'web'), '.ts').filter((f) => !f.endsWith('.spec.ts')))
      for (const m of readFileSync(f, 'utf8').matchAll(/\b(?:t\([^,]+, |key: )'([a-z][\w.]+)'/g)) used.add(m[1]);
    expect(used.size).toBeGreaterThan(100);
    const missing = [...used].filter((k) => !(k in DICTIONARY.ja));
    expect(missing).toEqual([]);
  });

  it('fills parameters and falls back to the key', () => {
    expect(t('ja', 'worker.home.left', { left: 3 })).toBe('残り 3 単元');
    expect(t('en', 'worker.home.left', { left: 3 })).toBe('3 left');
    expect(t('en', 'no.such.key')).toBe('no.such.key');
  });
});
