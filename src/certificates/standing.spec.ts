import {
  effectiveStatus,
  heldCertificate,
  holdsIssuance,
  inRenewalWindow,
  reinstatable,
  endsWithinRenewalDaysAt,
  renewalWindowMs,
  renewalWindowOpensAt,
  revocable,
  RENEWAL_WINDOW_DAYS,
  standingCertificate,
  standsBefore,
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

  // validity in days → renewal window in days: the last 30 days, never more than half the validity.
  it.each([
    [30, 15],
    [45, 22.5],
    [59, 29.5],
    [60, 30],
    [365, 30],
  ])('a certificate valid %i days has a renewal window of its last %d days', (validityDays, windowDays) => {
    expect(RENEWAL_WINDOW_DAYS).toBe(30);
    const validFrom = now;
    const validUntil = new Date(now.getTime() + validityDays * DAY);
    const c = { validFrom, validUntil };
    expect(renewalWindowMs(c)).toBe(windowDays * DAY);
    expect(renewalWindowOpensAt(c)).toBe(validUntil.getTime() - windowDays * DAY);
    // Closed when issued and until the window opens; open from then on.
    expect(inRenewalWindow(c, validFrom)).toBe(false);
    expect(inRenewalWindow(c, new Date(validUntil.getTime() - windowDays * DAY - 1))).toBe(false);
    expect(inRenewalWindow(c, new Date(validUntil.getTime() - windowDays * DAY))).toBe(true);
    expect(inRenewalWindow(c, new Date(validUntil.getTime() - 1))).toBe(true);
    // Stored text reads the same as Dates.
    expect(inRenewalWindow({ validFrom: validFrom.toISOString(), validUntil: validUntil.toISOString() }, validFrom)).toBe(false);
    // Never more than half: a certificate is never in its window in the first half of its validity.
    expect(renewalWindowMs(c)).toBeLessThanOrEqual((validityDays * DAY) / 2);
  });

  it('tells many certificates at one instant whether they end within 30 days, stored text or Date', () => {
    const endsSoon = endsWithinRenewalDaysAt(now);
    for (const [offset, expected] of [
      [-DAY, true],
      [0, true],
      [30 * DAY - 1, true],
      [30 * DAY, true],
      [30 * DAY + 1, false],
      [400 * DAY, false],
    ] as const) {
      const until = new Date(now.getTime() + offset);
      expect([offset, endsSoon(until)]).toEqual([offset, expected]);
      expect([offset, endsSoon(until.toISOString())]).toEqual([offset, expected]);
    }
  });

  it('the standing certificate is the newest not superseded; a tie goes to the greater serial', () => {
    const c = (serial: string, issuedAt: string, status: 'valid' | 'revoked' | 'superseded' | 'expired') => ({ serial, issuedAt, status });
    expect(standingCertificate([])).toBeNull();
    expect(standingCertificate([c('A', '2027-01-01', 'superseded')])).toBeNull();
    const list = [c('A', '2026-01-01', 'expired'), c('B', '2027-01-01', 'superseded'), c('C', '2026-06-01', 'revoked')];
    expect(standingCertificate(list)?.serial).toBe('C');
    expect(standingCertificate([c('X', '2027-01-01', 'valid'), c('Y', '2027-01-01', 'valid')])?.serial).toBe('Y');
  });

  it('orders stored text and Dates alike', () => {
    const at = '2027-01-01T00:00:00.000Z';
    expect(standsBefore({ issuedAt: new Date(at), serial: 'B' }, { issuedAt: at, serial: 'A' })).toBe(true);
    expect(standsBefore({ issuedAt: at, serial: 'A' }, { issuedAt: new Date(at), serial: 'B' })).toBe(false);
    expect(standsBefore({ issuedAt: new Date('2027-01-02T00:00:00.000Z'), serial: 'A' }, { issuedAt: at, serial: 'Z' })).toBe(true);
  });

  it('the certificate a worker holds is the standing one among those still valid', () => {
    const c = (serial: string, issuedAt: string, status: 'valid' | 'revoked' | 'superseded', validUntil = '2028-01-01T00:00:00.000Z') => ({
      serial,
      issuedAt: new Date(issuedAt),
      status,
      validUntil: new Date(validUntil),
    });
    expect(heldCertificate([], now)).toBeNull();
    const list = [
      c('A', '2026-01-01', 'valid'),
      c('B', '2026-06-01', 'valid', '2027-01-01T00:00:00.000Z'),
      c('C', '2026-09-01', 'revoked'),
    ];
    expect(heldCertificate(list, now)?.serial).toBe('A');
    expect(heldCertificate([...list, c('D', '2026-10-01', 'valid')], now)?.serial).toBe('D');
    expect(heldCertificate([c('E', '2026-01-01', 'superseded')], now)).toBeNull();
  });
});
