import { formatDate, formatDateTime, formatWareki, todayJst } from './dates';

describe('dates in JST', () => {
  it('writes 和暦', () => {
    expect(formatWareki('2026-12-01')).toBe('令和8年12月1日');
    expect(formatWareki(new Date('2019-04-30T14:59:59Z'))).toBe('平成31年4月30日');
    expect(formatWareki(new Date('2019-04-30T15:00:00Z'))).toBe('令和元年5月1日');
  });
  it('shows instants in JST', () => {
    expect(formatDate(new Date('2026-11-30T16:00:00Z'))).toBe('2026年12月1日');
    expect(formatDate(new Date('2026-11-30T16:00:00Z'), 'en')).toBe('1 December 2026');
    expect(formatDateTime(new Date('2026-11-30T16:00:00Z'))).toMatch(/2026\/12\/01 1:00 JST|2026\/12\/01 01:00 JST/);
    expect(todayJst(new Date('2026-11-30T15:30:00Z'))).toBe('2026-12-01');
  });
});
