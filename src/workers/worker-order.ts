/**
 * The order of worker lists (issue 20, item 9): 五十音順 by フリガナ, then by name,
 * then by employee number (numbers inside compared as numbers: E2 before E10),
 * then by id so the order is total; workers without フリガナ come after those
 * with it (their names, in kanji, have no reading to sort by).
 * Comparison is `Intl.Collator('ja')` (ICU's Japanese collation, the JIS X 4061
 * order: カ before ガ before キ, small kana beside their large forms, hiragana
 * and katakana alike), not code points, which put 佐藤 after 山田.
 */
const kana = new Intl.Collator('ja');
const numbers = new Intl.Collator('ja', { numeric: true });

export interface Sortable {
  id: string;
  name: string;
  furigana?: string | null;
  employeeNumber: string | null;
}

/** Compares two workers for the list order above (a comparator for Array.prototype.sort). */
export function gojuonOrder(a: Sortable, b: Sortable): number {
  if (!a.furigana !== !b.furigana) return a.furigana ? -1 : 1;
  return (
    (a.furigana && b.furigana ? kana.compare(a.furigana, b.furigana) : 0) ||
    kana.compare(a.name, b.name) ||
    (a.employeeNumber === b.employeeNumber
      ? 0
      : a.employeeNumber === null
        ? 1
        : b.employeeNumber === null
          ? -1
          : numbers.compare(a.employeeNumber, b.employeeNumber)) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
