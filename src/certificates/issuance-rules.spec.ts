import { AttestedModule, issueReason } from './issuance-rules';

const DAY = 86400_000;
const now = new Date('2027-06-01T00:00:00.000Z');
const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY).toISOString();
const mod = (moduleId: string, revision: number, daysAgo: number): AttestedModule => ({ moduleId, revision, completedAt: at(daysAgo) });

describe('when a new certificate is issued', () => {
  const held = {
    modules: [mod('basics', 1, 100), mod('data-handling', 2, 90)],
    validFrom: new Date(now.getTime() - 165 * DAY),
    validUntil: new Date(now.getTime() + 200 * DAY),
  };

  it('issues the first certificate', () => {
    expect(issueReason(null, [mod('basics', 1, 0)], now)).toBe('first');
  });

  it('does not re-issue for a re-pass of the same revision months before expiry', () => {
    expect(issueReason(held, [mod('basics', 1, 0), mod('data-handling', 2, 90)], now)).toBeNull();
    expect(issueReason(held, [mod('basics', 1, 0), mod('data-handling', 2, 0)], now)).toBeNull();
  });

  it('re-issues for a module passed at a newer revision', () => {
    expect(issueReason(held, [mod('basics', 2, 0), mod('data-handling', 2, 90)], now)).toBe('revision');
  });

  it('re-issues when the curriculum changed', () => {
    expect(issueReason(held, [mod('basics', 1, 100)], now)).toBe('curriculum');
    expect(issueReason(held, [mod('basics', 1, 100), mod('data-handling', 2, 90), mod('no-takeout', 1, 0)], now)).toBe('curriculum');
    expect(issueReason(held, [mod('basics', 1, 100), mod('no-takeout', 1, 0)], now)).toBe('curriculum');
  });

  it('renews for re-training inside the last 30 days of validity, not for older training', () => {
    const ending = { ...held, validFrom: new Date(now.getTime() - 345 * DAY), validUntil: new Date(now.getTime() + 20 * DAY) };
    expect(issueReason(ending, [mod('basics', 1, 5), mod('data-handling', 2, 90)], now)).toBe('renewal');
    // Passed 15 days ago: before the window opened (10 days ago).
    expect(issueReason(ending, [mod('basics', 1, 15), mod('data-handling', 2, 90)], now)).toBeNull();
    // In the window but nothing re-taken.
    expect(issueReason(ending, held.modules, now)).toBeNull();
    // Outside the window a fresh pass is not a renewal.
    expect(issueReason(held, [mod('basics', 1, 1), mod('data-handling', 2, 90)], now)).toBeNull();
  });

  /*
   * A worker who re-passes a module every day for two years, on an engagement
   * of each allowed validity: a certificate is renewed only once its window
   * is open, so never twice, and a renewal comes at most once per window.
   */
  it.each([30, 45, 59, 60, 365])('with a validity of %i days, daily re-passes renew each certificate at most once', (validityDays) => {
    const start = Date.parse('2027-01-01T00:00:00.000Z');
    const issue = (at: number) => ({
      modules: [{ moduleId: 'basics', revision: 1, completedAt: new Date(at).toISOString() }],
      validFrom: new Date(at),
      validUntil: new Date(at + validityDays * DAY),
    });
    let held = issue(start);
    const renewedAt: number[] = [];
    for (let day = 1; day <= 730; day++) {
      const at = start + day * DAY;
      const attested = [{ moduleId: 'basics', revision: 1, completedAt: new Date(at).toISOString() }];
      const reason = issueReason(held, attested, new Date(at));
      if (reason === null) continue;
      expect(reason).toBe('renewal');
      renewedAt.push(day);
      held = issue(at);
    }
    // The window is min(30, validity / 2) days; daily passes renew on the day it opens, and only then.
    const gap = validityDays - Math.min(30, validityDays / 2);
    const firstDay = Math.ceil(gap);
    expect(renewedAt[0]).toBe(firstDay);
    for (let i = 1; i < renewedAt.length; i++) expect(renewedAt[i] - renewedAt[i - 1]).toBe(firstDay);
    expect(renewedAt).toHaveLength(Math.floor(730 / firstDay));
    // Right after any renewal, a re-pass issues nothing.
    const fresh = issue(start);
    expect(issueReason(fresh, fresh.modules, new Date(start + DAY))).toBeNull();
  });
});
