import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageKey } from './message-keys';

export type { MessageKey } from './message-keys';

/** The languages of the service: Japanese first, English second. */
export const LANGS = ['ja', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** Values a text may interpolate as `{name}`. */
export type WordParams = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** locales/ beside views/ and content/: the same path from src/ (ts-node, tests) and from dist/. */
export const LOCALES_DIR = join(__dirname, '..', '..', '..', 'locales');

/** A locale file's nested areas flattened to `area.key` → text (`errors.csv.binary`). */
export function flattenLocale(tree: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (typeof tree === 'string') {
    out.set(prefix, tree);
    return out;
  }
  if (!tree || typeof tree !== 'object' || Array.isArray(tree))
    throw new Error(`locale: ${prefix || '(root)'} must be a text or a mapping`);
  for (const [k, v] of Object.entries(tree)) flattenLocale(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

/** Reads and flattens locales/<lang>.json for every language (once, at the first use: the files are part of the build). */
export function readLocales(dir = LOCALES_DIR): Record<Lang, ReadonlyMap<string, string>> {
  const read = (lang: Lang) => flattenLocale(JSON.parse(readFileSync(join(dir, `${lang}.json`), 'utf8')) as unknown);
  return { ja: read('ja'), en: read('en') };
}

let loaded: Record<Lang, ReadonlyMap<string, string>> | undefined;
const words = () => (loaded ??= readLocales());

const fill = (text: string, params?: WordParams) =>
  params ? text.replace(/\{(\w+)\}/g, (m, p: string) => (params[p] === undefined || params[p] === null ? m : String(params[p]))) : text;

/**
 * The words of `key` in `lang` (Japanese when the English is missing), with `{name}` filled from
 * `params`; the key itself when no language has it (i18n.spec.ts keeps that from happening).
 * Keys are typed (message-keys.ts, generated from locales/ja.json by `npm run i18n:keys`).
 */
export function t(lang: Lang, key: MessageKey, params?: WordParams): string {
  const all = words();
  const text = all[lang].get(key) ?? all.ja.get(key);
  return text === undefined ? key : fill(text, params);
}

/**
 * The words of a key built at run time (a field rule's constraint name, a form's own wording), or
 * undefined when the locale has none: for fallbacks from a specific key to a general one.
 */
export function lookup(lang: Lang, key: string, params?: WordParams): string | undefined {
  const all = words();
  const text = all[lang].get(key) ?? all.ja.get(key);
  return text === undefined ? undefined : fill(text, params);
}
