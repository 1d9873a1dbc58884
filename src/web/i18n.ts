import type { FastifyRequest } from 'fastify';
import type { Lang } from '../common/i18n/words';

/*
 * The pages' language. The words themselves are in locales/ja.json and
 * locales/en.json, read by src/common/i18n/words.ts (`t`, typed keys);
 * i18n.spec.ts checks both languages, every key used and no key unused.
 */
export { lookup, t, type Lang, type MessageKey } from '../common/i18n/words';

export const LANG_COOKIE = 'lang';

/** Japanese unless the visitor switched to English (remembered in the `lang` cookie). */
export function langOf(req: Pick<FastifyRequest, 'cookies'>): Lang {
  return req.cookies?.[LANG_COOKIE] === 'en' ? 'en' : 'ja';
}
