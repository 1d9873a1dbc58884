import { daysUntil, formatDate, formatDateTime, formatOfficialDate, formatOfficialDateTime, formatWareki, todayJst } from './dates';

describe('dates in JST, one style per context (docs/web.md)', () => {
  it('writes 和暦 on documents for the town', () => {
    expect(formatWareki('2026-12-01')).toBe('令和8年12月1日');
    expect(formatWareki(new Date('2019-04-30T14:59:59Z'))).toBe('平成31年4月30日');
    expect(formatWareki(new Date('2019-04-30T15:00:00Z'))).toBe('令和元年5月1日');
    expect(formatOfficialDate('2026-12-01')).toBe('令和8年12月1日');
    expect(formatOfficialDate('2026-12-01', 'en')).toBe('1 December 2026');
  });
  it('writes 西暦 YYYY年M月D日 elsewhere, the JST day of an instant', () => {
    expect(formatDate(new Date('2026-11-30T16:00:00Z'))).toBe('2026年12月1日');
    expect(formatDate('2026-12-01')).toBe('2026年12月1日');
    expect(formatDate(new Date('2026-11-30T16:00:00Z'), 'en')).toBe('1 December 2026');
    // The last instant of a JST day is still that day (a certificate's end: the CSV and the page agree).
    expect(formatDate('2028-11-30T14:59:59.999Z')).toBe('2028年11月30日');
  });
  it('writes a moment with its time in JST, marked JST', () => {
    expect(formatDateTime(new Date('2026-11-30T16:00:00Z'))).toBe('2026年12月1日 1:00 JST');
    expect(formatDateTime(new Date('2026-11-29T23:59:00Z'))).toBe('2026年11月30日 8:59 JST');
    expect(formatDateTime(new Date('2026-11-30T16:05:00Z'), 'en')).toBe('1 December 2026 01:05 JST');
    expect(formatDateTime('2026-11-30T14:30:00Z')).toBe('2026年11月30日 23:30 JST');
    expect(formatOfficialDateTime('2026-11-30T14:30:00Z')).toBe('令和8年11月30日 23:30 JST');
    expect(formatOfficialDateTime('2026-11-30T14:30:00Z', 'en')).toBe('30 November 2026 23:30 JST');
  });
  it('counts JST days', () => {
    expect(todayJst(new Date('2026-11-30T15:30:00Z'))).toBe('2026-12-01');
    expect(daysUntil('2026-12-01', new Date('2026-11-30T15:30:00Z'))).toBe(0);
    expect(daysUntil('2026-12-11', new Date('2026-11-30T14:30:00Z'))).toBe(11);
    expect(daysUntil('2026-11-29', new Date('2026-11-30T03:00:00Z'))).toBe(-1);
  });
});
