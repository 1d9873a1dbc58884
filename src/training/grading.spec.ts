import { displayScore, grade, passes } from './grading';

describe('grading: exact fractions decide, the rounded score is shown', () => {
  it('fails 4 of 6 against a pass mark of 67, although 66.67 % rounds to 67', () => {
    expect(grade(4, 6, 67)).toEqual({ score: 67, passed: false });
  });

  it.each([
    [80, 4, 5, 80],
    [50, 3, 6, 50],
    [100, 6, 6, 100],
    [80, 8, 10, 80],
    [60, 3, 5, 60],
  ])('passes exactly at the pass mark: %i with %i of %i', (passMark, right, total, score) => {
    expect(grade(right, total, passMark)).toEqual({ score, passed: true });
  });

  it.each([
    [67, 2, 3, 67],
    [67, 4, 6, 67],
    [80, 3, 4, 75],
    [100, 5, 6, 83],
    [84, 5, 6, 83],
    [51, 1, 2, 50],
  ])('fails just below it: %i with %i of %i (shown as %i)', (passMark, right, total, score) => {
    expect(grade(right, total, passMark)).toEqual({ score, passed: false });
  });

  it('passes above it, whatever the rounding of the shown score', () => {
    expect(grade(5, 6, 83)).toEqual({ score: 83, passed: true }); // 83.33 ≥ 83
    expect(grade(5, 6, 80)).toEqual({ score: 83, passed: true });
    expect(grade(2, 3, 66)).toEqual({ score: 67, passed: true }); // 66.67 ≥ 66
  });

  it('rounds the shown score half up', () => {
    expect(displayScore(1, 8)).toBe(13); // 12.5
    expect(displayScore(0, 6)).toBe(0);
    expect(displayScore(1, 6)).toBe(17);
    expect(displayScore(6, 6)).toBe(100);
  });

  it('refuses counts that are not a sitting', () => {
    expect(() => passes(7, 6, 80)).toThrow(RangeError);
    expect(() => passes(1, 0, 80)).toThrow(RangeError);
    expect(() => passes(-1, 6, 80)).toThrow(RangeError);
    expect(() => passes(1.5, 6, 80)).toThrow(RangeError);
    expect(() => passes(3, 6, 66.5)).toThrow(RangeError);
  });
});
