/**
 * The first `limit` items in `compare` order after `after` (none: the first
 * page), and whether more follow, from items offered one at a time in any
 * order. Keeps a sorted buffer of `limit + 1`: a page of 50 out of 100,000
 * never holds nor sorts the other 99,950.
 */
export class PageAfter<T> {
  private readonly buffer: T[] = [];

  constructor(
    private readonly limit: number,
    private readonly compare: (a: T, b: T) => number,
    private readonly after?: T,
  ) {}

  offer(item: T): void {
    const { buffer, limit, compare } = this;
    if (this.after !== undefined && compare(this.after, item) >= 0) return;
    if (buffer.length > limit && compare(item, buffer[buffer.length - 1]) >= 0) return;
    let lo = 0;
    let hi = buffer.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(buffer[mid], item) < 0) lo = mid + 1;
      else hi = mid;
    }
    buffer.splice(lo, 0, item);
    if (buffer.length > limit + 1) buffer.pop();
  }

  result(): { items: T[]; more: boolean } {
    return { items: this.buffer.slice(0, this.limit), more: this.buffer.length > this.limit };
  }
}

export function pageAfter<T>(items: Iterable<T>, limit: number, compare: (a: T, b: T) => number, after?: T): { items: T[]; more: boolean } {
  const page = new PageAfter(limit, compare, after);
  for (const item of items) page.offer(item);
  return page.result();
}
