import { isCertified, workerStatus } from './worker-status';

describe("a worker's status on an engagement", () => {
  it('is certified while the standing certificate reads valid, expiring in its renewal window', () => {
    expect(workerStatus('valid', false, true)).toBe('certified');
    expect(workerStatus('valid', true, true)).toBe('expiring');
  });

  it('falls back to the training once no certificate reads valid', () => {
    for (const c of ['expired', 'revoked', 'superseded', null] as const) {
      expect(workerStatus(c, false, true)).toBe('in_progress');
      expect(workerStatus(c, true, false)).toBe('not_started');
    }
  });

  it('counts certified and expiring workers as certified', () => {
    expect((['not_started', 'in_progress', 'certified', 'expiring'] as const).filter(isCertified)).toEqual(['certified', 'expiring']);
  });
});
