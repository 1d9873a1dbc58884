import { counts, countingCompletion, moduleStatus } from './completion-rules';

describe('completion rules', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  const mod = { id: 'basics', minimumRevision: 2 };
  const at = (iso: string, revision = 2) => ({ moduleId: 'basics', revision, completedAt: new Date(iso) });

  it('counts a completion at or above the minimum revision', () => {
    expect(counts(at('2026-11-01T00:00:00Z', 2), mod, 365, now)).toBe(true);
    expect(counts(at('2026-11-01T00:00:00Z', 3), mod, 365, now)).toBe(true);
    expect(counts(at('2026-11-01T00:00:00Z', 1), mod, 365, now)).toBe(false);
  });

  it('counts only within the validity window', () => {
    expect(counts(at('2025-12-02T00:00:00Z'), mod, 365, now)).toBe(true);
    expect(counts(at('2025-11-30T00:00:00Z'), mod, 365, now)).toBe(false);
  });

  it('ignores other modules and picks the newest', () => {
    const list = [
      at('2026-01-01T00:00:00Z'),
      { ...at('2026-10-01T00:00:00Z'), moduleId: 'other' },
      at('2026-06-01T00:00:00Z'),
      at('2026-09-01T00:00:00Z', 1),
    ];
    expect(countingCompletion(list, mod, 365, now)?.completedAt.toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(countingCompletion([], mod, 365, now)).toBeUndefined();
  });

  it("gives a module's status: completed when a completion counts, in progress once attempted", () => {
    expect(moduleStatus(at('2026-11-01T00:00:00Z'), true)).toBe('completed');
    expect(moduleStatus(at('2026-11-01T00:00:00Z'), false)).toBe('completed');
    expect(moduleStatus(undefined, true)).toBe('in_progress');
    expect(moduleStatus(undefined, false)).toBe('not_started');
  });
});
