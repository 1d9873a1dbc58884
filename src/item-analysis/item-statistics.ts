/*
 * Classical item analysis of quiz sittings, as Moodle's quiz statistics
 * report computes it (Moodle Docs, "Quiz statistics calculations" and
 * "Quiz report statistics"; the code is question/classes/statistics/
 * questions/calculator.php):
 *
 * - facility index F = mean item score / maximum item score. Our items score
 *   0 or 1, so F is the share of sittings that answered the question right.
 * - discrimination index = the Pearson correlation between the item's score
 *   x and the score of the rest of the sitting X (the other drawn questions'
 *   scores, the item itself left out):
 *     r = cov(x, X) / √(var(x) · var(X))
 *   Moodle uses the sample (n − 1) estimates, whose denominators cancel in r,
 *   and shows 100 · r; we give r itself, −1 … 1. Undefined (null) when fewer
 *   than two sittings or either variance is zero — e.g. a question that
 *   everyone (or no one) answers right — as Moodle leaves it empty then.
 *
 * Everything is accumulated in one pass over the sittings (sums of x, X, X²
 * and xX per question, with x² = x since x ∈ {0, 1}): the memory held is per
 * question and per choice, never per sitting. All sums are integers, so the
 * moments are exact until the final division.
 */

/** How many sittings a question needs before it is flagged (docs/item-analysis.md, "Flags"). */
export const MIN_ATTEMPTS_FOR_FLAGS = 30;
/** Facility at or above which a question counts as one nearly everyone gets right. */
export const TOO_EASY_FACILITY = 0.95;

/**
 * `too_easy`: facility ≥ 0.95 over at least MIN_ATTEMPTS_FOR_FLAGS sittings;
 * `negative_discrimination`: r < 0 over at least as many (those who did well
 * on the rest of the quiz got this question wrong more often than those who did badly).
 */
export type ItemFlag = 'too_easy' | 'negative_discrimination';

/** One drawn question of one graded sitting. `chosen`: the content file's choice ids (not the per-sitting keys). */
export interface ItemResponse {
  questionId: string;
  right: boolean;
  chosen: readonly string[];
}

/** The statistics of one question over the sittings that drew it. */
export interface ItemStatistic {
  questionId: string;
  /** Sittings that drew the question. */
  attempts: number;
  /** Of those, answered right. */
  right: number;
  /** right / attempts, 0 … 1; null without attempts. */
  facility: number | null;
  /** r(x, X), −1 … 1; null when undefined (see above). */
  discrimination: number | null;
  /** Sittings that picked each choice, by the file's choice id (several per sitting for a multiple-answer question). */
  choiceCounts: Record<string, number>;
  /** Sittings that drew the question and picked nothing. */
  unanswered: number;
  flags: ItemFlag[];
}

interface Sums {
  n: number;
  /** Σx: right answers (x ∈ {0, 1}, so also Σx²). */
  x: number;
  /** ΣX, ΣX², ΣxX over the rest of each sitting. */
  rest: number;
  rest2: number;
  xRest: number;
  choices: Map<string, number>;
  unanswered: number;
}

/** Streams sittings in (`add`), statistics out (`statistic`). */
export class ItemStatistics {
  private readonly sums = new Map<string, Sums>();
  /** Sittings added. */
  sittings = 0;

  /** One graded sitting: each of its drawn questions, once. */
  add(sitting: readonly ItemResponse[]): void {
    this.sittings++;
    const total = sitting.reduce((n, r) => n + (r.right ? 1 : 0), 0);
    for (const r of sitting) {
      let s = this.sums.get(r.questionId);
      if (!s) this.sums.set(r.questionId, (s = { n: 0, x: 0, rest: 0, rest2: 0, xRest: 0, choices: new Map(), unanswered: 0 }));
      const x = r.right ? 1 : 0;
      const rest = total - x;
      s.n++;
      s.x += x;
      s.rest += rest;
      s.rest2 += rest * rest;
      s.xRest += x * rest;
      if (!r.chosen.length) s.unanswered++;
      for (const c of new Set(r.chosen)) s.choices.set(c, (s.choices.get(c) ?? 0) + 1);
    }
  }

  /** Question ids seen, in the order first seen. */
  questionIds(): string[] {
    return [...this.sums.keys()];
  }

  /** The statistics of a question; zero attempts (nulls, no flags) for one never drawn. */
  statistic(questionId: string): ItemStatistic {
    const s = this.sums.get(questionId);
    if (!s) return { questionId, attempts: 0, right: 0, facility: null, discrimination: null, choiceCounts: {}, unanswered: 0, flags: [] };
    const facility = s.x / s.n;
    const discrimination = correlation(s);
    const flags: ItemFlag[] = [];
    if (s.n >= MIN_ATTEMPTS_FOR_FLAGS && facility >= TOO_EASY_FACILITY) flags.push('too_easy');
    if (s.n >= MIN_ATTEMPTS_FOR_FLAGS && discrimination !== null && discrimination < 0) flags.push('negative_discrimination');
    return {
      questionId,
      attempts: s.n,
      right: s.x,
      facility,
      discrimination,
      choiceCounts: Object.fromEntries(s.choices),
      unanswered: s.unanswered,
      flags,
    };
  }
}

/**
 * Pearson's r from the sums, the n's cancelled: (nΣxX − ΣxΣX) / √((nΣx² − (Σx)²)(nΣX² − (ΣX)²)).
 * Null for fewer than two sittings or a zero variance.
 */
function correlation(s: Sums): number | null {
  if (s.n < 2) return null;
  const varX = s.n * s.x - s.x * s.x;
  const varRest = s.n * s.rest2 - s.rest * s.rest;
  if (varX <= 0 || varRest <= 0) return null;
  const r = (s.n * s.xRest - s.x * s.rest) / Math.sqrt(varX * varRest);
  // Rounding can push a perfect correlation a hair past ±1.
  return Math.max(-1, Math.min(1, r));
}
