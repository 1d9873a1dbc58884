import {
  effectiveStatus,
  holdsIssuance,
  inRenewalWindow,
  reinstatable,
  revocable,
  RENEWAL_WINDOW_DAYS,
  standingCertificate,
  statusBitSet,
} from './standing';

const DAY = 86400_000;
const now = new Date('2027-01-10T00:00:00.000Z');

describe('what a certificate status means', () => {
  it('a stored valid certificate reads expired from its validUntil on, given as a Date or as stored text', () => {
    expect(effectiveStatus({ status: 'valid', validUntil: new Date(now.getTime() + 1) }, now)).toBe('valid');
    expect(effectiveStatus({ status: 'valid', validUntil: now }, now)).toBe('expired');
    expect(effectiveStatus({ status: 'valid', validUntil: '2027-01-09T23:59:59.999Z' }, now)).toBe('expired');
    expect(effectiveStatus({ status: 'valid', validUntil: '2027-01-10T00:00:00.001Z' }, now)).toBe('valid');
    expect(effectiveStatus({ status: 'revoked', validUntil: '2020-01-01T00:00:00.000Z' }, now)).toBe('revoked');
    expect(effectiveStatus({ status: 'superseded', validUntil: '2099-01-01T00:00:00.000Z' }, now)).toBe('superseded');
  });

  it('sets the status bit exactly for revoked and superseded certificates', () => {
    expect(statusBitSet('valid')).toBe(false);
    expect(statusBitSet('revoked')).toBe(true);
    expect(statusBitSet('superseded')).toBe(true);
  });

  it('lets the town revoke what still reads valid or expired, and reinstate a revocation once', () => {
    expect(['valid', 'expired', 'revoked', 'superseded'].filter((s) => revocable(s as never))).toEqual(['valid', 'expired']);
    expect(holdsIssuance({ status: 'revoked', reinstatedAt: null })).toBe(true);
    expect(holdsIssuance({ status: 'revoked', reinstatedAt: now })).toBe(false);
    expect(holdsIssuance({ status: 'valid', reinstatedAt: null })).toBe(false);
    expect(reinstatable({ status: 'revoked', reinstatedAt: null })).toBe(true);
    expect(reinstatable({ status: 'superseded', reinstatedAt: null })).toBe(false);
  });

  it('the renewal window is the last 30 days of validity', () => {
    expect(RENEWAL_WINDOW_DAYS).toBe(30);
    expect(inRenewalWindow(new Date(now.getTime() + 30 * DAY), now)).toBe(true);
    expect(inRenewalWindow(new Date(now.getTime() + 30 * DAY + 1), now)).toBe(false);
    expect(inRenewalWindow('2027-01-20T00:00:00.000Z', now)).toBe(true);
  });

  it('the standing certificate is the newest not superseded; a tie goes to the greater serial', () => {
    const c = (serial: string, issuedAt: string, status: 'valid' | 'revoked' | 'superseded' | 'expired') => ({ serial, issuedAt, status });
    expect(standingCertificate([])).toBeNull();
    expect(standingCertificate([c('A', '2027-01-01', 'superseded')])).toBeNull();
    const list = [c('A', '2026-01-01', 'expired'), c('B', '2027-01-01', 'superseded'), c('C', '2026-06-01', 'revoked')];
    expect(standingCertificate(list)?.serial).toBe('C');
    expect(standingCertificate([c('X', '2027-01-01', 'valid'), c('Y', '2027-01-01', 'valid')])?.serial).toBe('Y');
  });
});
