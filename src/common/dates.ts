/**
 * Dates as people in Japan read them, one style per context (docs/web.md, "Dates"):
 *
 * - documents addressed to the town (the printable certificate, the Article 11 report):
 *   和暦 in Japanese, `formatOfficialDate` (令和8年12月1日);
 * - everything else (pages, CSV files, e-mails): 西暦, `formatDate` (2026年12月1日 / 1 December 2026);
 * - a moment: the date in that style and the time, always in JST and marked so, `formatDateTime`
 *   (2026年12月1日 9:05 JST / 1 December 2026 09:05 JST), on documents `formatOfficialDateTime`
 *   (令和8年12月1日 9:05 JST).
 *
 * A calendar date (`YYYY-MM-DD`, e.g. an engagement's start) is a JST day; an instant is shown as the
 * JST day it falls on, so a certificate's end reads the same on a page, in a CSV and on paper.
 */
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
const jaTime = new Intl.DateTimeFormat('ja-JP', { hour: 'numeric', minute: '2-digit', hourCycle: 'h23', timeZone: TZ });
const enTime = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: TZ });

const asDate = (v: Date | string) => (typeof v === 'string' ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00+09:00` : v) : v);

/** 令和8年12月1日 */
export const formatWareki = (v: Date | string) => wareki.format(asDate(v));

/** The date as a document for the town writes it: 和暦 in Japanese (令和8年12月1日), the plain date in English. */
export const formatOfficialDate = (v: Date | string, lang: 'ja' | 'en' = 'ja') => (lang === 'ja' ? formatWareki(v) : formatDate(v, 'en'));

/** 2026年12月1日 / 1 December 2026, in JST: pages, CSV files, e-mails. */
export const formatDate = (v: Date | string, lang: 'ja' | 'en' = 'ja') => (lang === 'en' ? enDate : jaDate).format(asDate(v));

/** 2026年12月1日 9:05 JST / 1 December 2026 09:05 JST: a moment, always in JST and marked as such. */
export const formatDateTime = (v: Date | string, lang: 'ja' | 'en' = 'ja') => {
  const d = asDate(v);
  return lang === 'en' ? `${enDate.format(d)} ${enTime.format(d)} JST` : `${jaDate.format(d)} ${jaTime.format(d)} JST`;
};

/** A moment on a document for the town: 令和8年12月1日 9:05 JST in Japanese, as `formatDateTime` in English. */
export const formatOfficialDateTime = (v: Date | string, lang: 'ja' | 'en' = 'ja') =>
  lang === 'ja' ? `${formatWareki(v)} ${jaTime.format(asDate(v))} JST` : formatDateTime(v, 'en');

/** Today's calendar date in JST, YYYY-MM-DD. */
export const todayJst = (now = new Date()) => new Date(now.getTime() + 9 * 3600_000).toISOString().slice(0, 10);

/**
 * Whole days from today (JST) to a calendar date `YYYY-MM-DD`: 0 on the day, negative once it has passed.
 * Both are JST days, so the answer never depends on the hour.
 */
export const daysUntil = (date: string, now = new Date()) =>
  Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${todayJst(now)}T00:00:00Z`)) / 86_400_000);
