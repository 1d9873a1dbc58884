import { pageAfter } from './page-after';

describe('pageAfter', () => {
  // Keys with ties, so the id decides; ids unique.
  const items = Array.from({ length: 500 }, (_, i) => ({
    id: `id-${String((i * 7919) % 500).padStart(3, '0')}`,
    key: `k${(i * 31) % 37}`,
  }));
  type Item = (typeof items)[number];
  const compare = (a: Item, b: Item) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const sorted = [...items].sort(compare);

  it('gives the same pages as sorting everything, cursor after cursor', () => {
    for (const limit of [1, 7, 50, 499, 500, 600]) {
      const seen: string[] = [];
      let after: Item | undefined;
      for (;;) {
        const page = pageAfter(items, limit, compare, after);
        seen.push(...page.items.map((x) => x.id));
        expect(page.more).toBe(seen.length < items.length);
        if (!page.more) break;
        after = page.items[page.items.length - 1];
      }
      expect(seen).toEqual(sorted.map((x) => x.id));
    }
  });

  it('is empty after the last item', () => {
    expect(pageAfter(items, 10, compare, sorted[sorted.length - 1])).toEqual({ items: [], more: false });
  });
});
