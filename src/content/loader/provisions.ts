import { PROVISION_REF } from '../content.types';

/*
 * The provisions of the special provisions' seed text that content may cite
 * ("N" or "N-M"), shared by the loader and the quality checks.
 */

/** The articles of the seed text (1–16) and, where it numbers them, their paragraph counts. */
export const ARTICLE_COUNT = 16;
export const PARAGRAPHS: Readonly<Record<number, number>> = { 3: 4, 9: 2, 10: 2, 11: 3 };

/** The article number of "N" or "N-M". */
export function articleOf(ref: string): number {
  return Number(ref.split('-')[0]);
}

/** Why a provision reference does not exist, or null when it does. */
export function provisionProblem(ref: unknown): string | null {
  if (typeof ref !== 'string' || !PROVISION_REF.test(ref))
    return `${JSON.stringify(ref)} is not a provision reference; write "N" (article) or "N-M" (paragraph M of article N)`;
  const [article, paragraph] = ref.split('-').map(Number);
  if (article > ARTICLE_COUNT) return `"${ref}": article ${article} does not exist (articles 1–${ARTICLE_COUNT})`;
  if (paragraph !== undefined) {
    const count = PARAGRAPHS[article];
    if (!count) return `"${ref}": article ${article} has no numbered paragraphs; write "${article}"`;
    if (paragraph > count) return `"${ref}": article ${article} has paragraphs 1–${count} only`;
  }
  return null;
}

/** Whether a question on `ref` belongs to a module teaching `moduleArticles`. */
export function provisionCovered(ref: string, moduleArticles: readonly string[]): boolean {
  const article = String(articleOf(ref));
  return moduleArticles.some((a) => a === ref || a === article || (!ref.includes('-') && articleOf(a) === articleOf(ref)));
}
