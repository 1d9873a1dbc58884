import { AttestedModule, issueReason } from './issuance-rules';

const DAY = 86400_000;
const now = new Date('2027-06-01T00:00:00.000Z');
const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY).toISOString();
const mod = (moduleId: string, revision: number, daysAgo: number): AttestedModule => ({ moduleId, revision, completedAt: at(daysAgo) });

describe('when a new certificate is issued', () => {
  const held = { modules: [mod('basics', 1, 100), mod('data-handling', 2, 90)], validUntil: new Date(now.getTime() + 200 * DAY) };

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
    const ending = { ...held, validUntil: new Date(now.getTime() + 20 * DAY) };
    expect(issueReason(ending, [mod('basics', 1, 5), mod('data-handling', 2, 90)], now)).toBe('renewal');
    // Passed 15 days ago: before the window opened (10 days ago).
    expect(issueReason(ending, [mod('basics', 1, 15), mod('data-handling', 2, 90)], now)).toBeNull();
    // In the window but nothing re-taken.
    expect(issueReason(ending, held.modules, now)).toBeNull();
    // Outside the window a fresh pass is not a renewal.
    expect(issueReason(held, [mod('basics', 1, 1), mod('data-handling', 2, 90)], now)).toBeNull();
  });
});
