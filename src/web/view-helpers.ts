import type Handlebars from 'handlebars';
import { formatDate, formatDateTime, formatOfficialDate, formatWareki } from '../common/dates';
import type { Lang } from './i18n';
import { lookup } from './i18n';

type Options = Handlebars.HelperOptions;
const langOf = (options: Options): Lang => (options?.data?.root?.lang === 'en' ? 'en' : 'ja');
const hash = (options: Options) => (options?.hash ?? {}) as Record<string, string | number>;

/**
 * Helpers every view may use. Language comes from the page's `lang`
 * (@root), so a template never passes it around. Dates are shown in JST;
 * `wareki` writes 令和8年12月1日 for document-like places.
 */
export function registerViewHelpers(hbs: typeof Handlebars): void {
  // A template names its keys as text; i18n.spec.ts checks every one exists.
  hbs.registerHelper('t', (key: string, options: Options) => lookup(langOf(options), key, hash(options)) ?? key);
  hbs.registerHelper('date', (v: unknown, options: Options) => (v ? formatDate(v as string, langOf(options)) : ''));
  hbs.registerHelper('datetime', (v: unknown, options: Options) => (v ? formatDateTime(v as string, langOf(options)) : ''));
  hbs.registerHelper('wareki', (v: unknown) => (v ? formatWareki(v as string) : ''));
  /** The date as a Japanese document writes it: 和暦 in Japanese, the plain date in English. */
  hbs.registerHelper('officialDate', (v: unknown, options: Options) => (v ? formatOfficialDate(v as string, langOf(options)) : ''));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('inc', (n: number) => Number(n) + 1);
  /** `{{localized title}}`: a {ja, en} text from the content in the page's language. */
  hbs.registerHelper('localized', (v: { ja?: string; en?: string } | undefined, options: Options) =>
    v ? (v[langOf(options)] ?? v.ja ?? '') : '',
  );
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
  hbs.registerHelper('hasKeys', (v: unknown) => !!v && typeof v === 'object' && Object.keys(v).length > 0);
  hbs.registerHelper('includes', (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item));
}
