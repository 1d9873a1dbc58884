/** Dates as people in Japan read them: JST, and 和暦 where an official document would use it. */
const TZ = 'Asia/Tokyo';

const wareki = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', {
  era: 'long',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  timeZone: TZ,
});
const jaDate = new Intl.DateTimeFormat('ja-JP', { year: 'numeric', month: 'long', day: 'numeric', timeZone: TZ });
const enDate = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'long', day: 'numeric', timeZone: TZ });
const jaDateTime = new Intl.DateTimeFormat('ja-JP', { dateStyle: 'medium', timeStyle: 'short', timeZone: TZ });
const enDateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: TZ });

const asDate = (v: Date | string) => (typeof v === 'string' ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00+09:00` : v) : v);

/** 令和8年12月1日 */
export const formatWareki = (v: Date | string) => wareki.format(asDate(v));

/** The date as a Japanese document writes it: 和暦 in Japanese (令和8年12月1日), the plain date in English. */
export const formatOfficialDate = (v: Date | string, lang: 'ja' | 'en' = 'ja') => (lang === 'ja' ? formatWareki(v) : formatDate(v, 'en'));

/** 2026年12月1日 / 1 December 2026, in JST. */
export const formatDate = (v: Date | string, lang: 'ja' | 'en' = 'ja') => (lang === 'en' ? enDate : jaDate).format(asDate(v));

/** With the time, in JST, marked as such. */
export const formatDateTime = (v: Date | string, lang: 'ja' | 'en' = 'ja') =>
  `${(lang === 'en' ? enDateTime : jaDateTime).format(asDate(v))} JST`;

/** Today's calendar date in JST, YYYY-MM-DD. */
export const todayJst = (now = new Date()) => new Date(now.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
