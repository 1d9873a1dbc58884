import { ItemResponse, ItemStatistics, MIN_ATTEMPTS_FOR_FLAGS } from './item-statistics';

/** A tiny deterministic generator (mulberry32), so the generated sittings are the same on every run. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHOICES = ['a', 'b', 'c', 'd'];
/** A single-answer response: `a` is the key, a wrong answer picks b, c or d. */
const answer = (questionId: string, right: boolean, wrongPick = 'b'): ItemResponse => ({
  questionId,
  right,
  chosen: [right ? 'a' : wrongPick],
});

/**
 * Moodle's own two-pass computation (question/classes/statistics/questions/calculator.php:
 * means first, then the sample variances and covariance over n − 1, r = cov / √(var · var)),
 * to check the one-pass sums against.
 */
function moodleDiscrimination(sittings: ItemResponse[][], questionId: string): number | null {
  const pairs: [number, number][] = [];
  for (const s of sittings) {
    const item = s.find((r) => r.questionId === questionId);
    if (!item) continue;
    const x = item.right ? 1 : 0;
    pairs.push([x, s.filter((r) => r.right).length - x]);
  }
  const n = pairs.length;
  if (n < 2) return null;
  const mx = pairs.reduce((a, [x]) => a + x, 0) / n;
  const mr = pairs.reduce((a, [, r]) => a + r, 0) / n;
  let vx = 0;
  let vr = 0;
  let cov = 0;
  for (const [x, r] of pairs) {
    vx += (x - mx) ** 2;
    vr += (r - mr) ** 2;
    cov += (x - mx) * (r - mr);
  }
  [vx, vr, cov] = [vx / (n - 1), vr / (n - 1), cov / (n - 1)];
  return vx * vr ? cov / Math.sqrt(vx * vr) : null;
}

describe('item statistics on generated sittings with known answers', () => {
  /*
   * 200 sittings of six questions. Each sitter has an ability 0 … 1:
   *   easy     — everyone answers it right;
   *   inverse  — right only for the weakest sitters (ability < 0.3);
   *   good     — right when ability > 0.5;
   *   noise1-3 — right with probability = ability.
   */
  const random = prng(14);
  const sittings: ItemResponse[][] = [];
  for (let i = 0; i < 200; i++) {
    const ability = random();
    sittings.push([
      answer('easy', true),
      answer('inverse', ability < 0.3, CHOICES[1 + (i % 3)]),
      answer('good', ability > 0.5, 'c'),
      answer('noise1', random() < ability),
      answer('noise2', random() < ability),
      answer('noise3', random() < ability),
    ]);
  }
  const stats = new ItemStatistics();
  for (const s of sittings) stats.add(s);

  it('counts the sittings and every question they drew', () => {
    expect(stats.sittings).toBe(200);
    expect(stats.questionIds()).toEqual(['easy', 'inverse', 'good', 'noise1', 'noise2', 'noise3']);
    for (const id of stats.questionIds()) expect(stats.statistic(id).attempts).toBe(200);
  });

  it('gives a question everyone answers right facility 1.0 and no discrimination (zero variance), flagged too easy', () => {
    expect(stats.statistic('easy')).toMatchObject({ attempts: 200, right: 200, facility: 1, discrimination: null, flags: ['too_easy'] });
  });

  it('gives a question only low scorers answer right a negative discrimination, flagged', () => {
    const inverse = stats.statistic('inverse');
    expect(inverse.discrimination).toBeLessThan(-0.3);
    expect(inverse.flags).toEqual(['negative_discrimination']);
    expect(inverse.facility).toBeGreaterThan(0.15);
    expect(inverse.facility).toBeLessThan(0.45);
  });

  it('gives a question strong sitters answer right a positive discrimination, unflagged', () => {
    const good = stats.statistic('good');
    expect(good.discrimination).toBeGreaterThan(0.3);
    expect(good.flags).toEqual([]);
  });

  it('computes r exactly as Moodle does (two passes, sample moments)', () => {
    for (const id of stats.questionIds()) {
      const ours = stats.statistic(id).discrimination;
      const moodle = moodleDiscrimination(sittings, id);
      if (moodle === null) expect(ours).toBeNull();
      else expect(ours).toBeCloseTo(moodle, 12);
    }
  });

  it('counts each choice by the file’s id; for a single-answer question they sum to the attempts', () => {
    for (const id of stats.questionIds()) {
      const s = stats.statistic(id);
      const picked = Object.values(s.choiceCounts).reduce((a, b) => a + b, 0);
      expect(picked + s.unanswered).toBe(s.attempts);
      expect(Object.keys(s.choiceCounts).every((c) => CHOICES.includes(c))).toBe(true);
      expect(s.choiceCounts.a ?? 0).toBe(s.right);
    }
    expect(stats.statistic('easy').choiceCounts).toEqual({ a: 200 });
    expect(stats.statistic('good').choiceCounts.c).toBe(200 - stats.statistic('good').right);
  });
});

describe('item statistics: edge cases', () => {
  it('answers a question never drawn with zero attempts and nulls', () => {
    expect(new ItemStatistics().statistic('q01')).toEqual({
      questionId: 'q01',
      attempts: 0,
      right: 0,
      facility: null,
      discrimination: null,
      choiceCounts: {},
      unanswered: 0,
      flags: [],
    });
  });

  it('leaves discrimination undefined for one sitting, a question nobody gets right, and a constant rest', () => {
    const one = new ItemStatistics();
    one.add([answer('q1', true), answer('q2', false)]);
    expect(one.statistic('q1').discrimination).toBeNull();
    const none = new ItemStatistics();
    for (let i = 0; i < 40; i++) none.add([answer('q1', false), answer('q2', i % 2 === 0)]);
    expect(none.statistic('q1')).toMatchObject({ facility: 0, discrimination: null, flags: [] });
    // q2 varies, but its rest (q1, always wrong) does not.
    expect(none.statistic('q2').discrimination).toBeNull();
  });

  it('is +1 and −1 for perfectly aligned and opposed items', () => {
    const s = new ItemStatistics();
    for (let i = 0; i < 10; i++) {
      const strong = i % 2 === 0;
      s.add([answer('with', strong), answer('against', !strong), answer('anchor1', strong), answer('anchor2', strong)]);
    }
    expect(s.statistic('anchor1').discrimination).toBeCloseTo(1, 12);
    // "against" is right exactly when the others are wrong.
    expect(s.statistic('against').discrimination).toBeCloseTo(-1, 12);
  });

  it(`flags only from ${MIN_ATTEMPTS_FOR_FLAGS} attempts on`, () => {
    const s = new ItemStatistics();
    for (let i = 0; i < MIN_ATTEMPTS_FOR_FLAGS - 1; i++) s.add([answer('q1', true), answer('q2', i % 3 === 0)]);
    expect(s.statistic('q1')).toMatchObject({ facility: 1, flags: [] });
    s.add([answer('q1', true), answer('q2', false)]);
    expect(s.statistic('q1').flags).toEqual(['too_easy']);
  });

  it('flags facility at exactly 0.95, not below', () => {
    const at = new ItemStatistics();
    for (let i = 0; i < 40; i++) at.add([answer('q1', i >= 2), answer('q2', i % 2 === 0)]); // 38 / 40 = 0.95
    expect(at.statistic('q1')).toMatchObject({ facility: 0.95, flags: ['too_easy'] });
    const below = new ItemStatistics();
    for (let i = 0; i < 40; i++) below.add([answer('q1', i >= 3), answer('q2', i % 2 === 0)]); // 0.925
    expect(below.statistic('q1').flags).not.toContain('too_easy');
  });

  it('counts every choice of a multiple-answer pick once per sitting, and an empty answer as unanswered', () => {
    const s = new ItemStatistics();
    s.add([{ questionId: 'm', right: true, chosen: ['a', 'c'] }]);
    s.add([{ questionId: 'm', right: false, chosen: ['a', 'b', 'a'] }]);
    s.add([{ questionId: 'm', right: false, chosen: [] }]);
    expect(s.statistic('m')).toMatchObject({ attempts: 3, right: 1, choiceCounts: { a: 2, b: 1, c: 1 }, unanswered: 1 });
  });
});
