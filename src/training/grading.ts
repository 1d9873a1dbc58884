/**
 * Grading a sitting: the verdict compares exact fractions, the score shown is
 * rounded. Issue 14 ("Rounding before comparing"): with a pass mark of 67,
 * 4 of 6 right is 66.67 %, which rounds to 67 but is below the mark; deciding
 * on the rounded number passed it. Every comparison of a result with a pass
 * mark (the submission, the benchmark's baseline server) goes through
 * `passes()`; nothing compares a stored `score` with a pass mark (tracking,
 * certificates and the pages read the stored `passed` and completions).
 * Whether one question was answered right is `answeredRight()`, for grading
 * and for the item analysis alike.
 */

/** A question is right when exactly its correct choices were chosen (no partial credit). Keys: the sitting's per-attempt choice keys. */
export function answeredRight(q: { choices: readonly { key: string; correct: boolean }[] }, chosenKeys: readonly string[]): boolean {
  const chosen = new Set(chosenKeys);
  const correctKeys = q.choices.filter((c) => c.correct).map((c) => c.key);
  return chosen.size === correctKeys.length && correctKeys.every((k) => chosen.has(k));
}

/** The result of one sitting. */
export interface Grade {
  /** 0–100, the share of right questions rounded half up to a whole percent: for display only. */
  score: number;
  /** right / total ≥ passMark / 100, decided on the exact fraction. */
  passed: boolean;
}

/**
 * Whether `right` of `total` questions reach `passMark` percent, in integers
 * only: right × 100 ≥ passMark × total (no division, no rounding, no floating point).
 * @throws RangeError when the counts are not whole numbers with 0 ≤ right ≤ total, total ≥ 1
 */
export function passes(right: number, total: number, passMark: number): boolean {
  checkCounts(right, total);
  if (!Number.isInteger(passMark)) throw new RangeError('passMark must be a whole percent');
  return right * 100 >= passMark * total;
}

/**
 * The score shown to people and stored with the attempt: the percentage of
 * right questions, rounded half up (4 of 6 → 67). Never compared with a pass mark.
 * @throws RangeError as `passes()`
 */
export function displayScore(right: number, total: number): number {
  checkCounts(right, total);
  return Math.round((100 * right) / total);
}

/** The shown score and the exact verdict of `right` of `total` against `passMark` (percent). */
export function grade(right: number, total: number, passMark: number): Grade {
  return { score: displayScore(right, total), passed: passes(right, total, passMark) };
}

function checkCounts(right: number, total: number): void {
  if (!Number.isInteger(right) || !Number.isInteger(total) || total < 1 || right < 0 || right > total)
    throw new RangeError(`not a sitting's counts: ${right} of ${total}`);
}
