/*
 * What a certificate's status means, in one place: the service, progress
 * tracking and the pages import these and compute none of it themselves
 * (docs/certificates.md, "Status").
 *
 * Stored statuses are `valid`, `revoked` and `superseded`; `expired` is never
 * stored: a stored `valid` certificate past its `validUntil` reads expired.
 * A certificate's bit in the Bitstring Status List (purpose `revocation`) is
 * set exactly when its stored status is `revoked` or `superseded`, so an
 * offline verifier holding the list and an online lookup agree on every
 * status; `expired` needs no bit, as every verifier checks `validUntil` (and
 * the OB JWT form's `exp`).
 */

export type StoredCertificateStatus = 'valid' | 'revoked' | 'superseded';
export type CertificateStatus = StoredCertificateStatus | 'expired';

/** Every status a lookup can answer, in the order pages list them. */
export const CERTIFICATE_STATUSES: readonly CertificateStatus[] = ['valid', 'expired', 'superseded', 'revoked'];

/**
 * The longest renewal window: the last 30 days of a certificate's validity
 * (issue 13). A certificate's own window is `renewalWindowMs`. Progress
 * tracking shows a worker as `expiring` when the certificate ends within
 * these 30 days, whatever its validity (src/reports/tracking-data.ts).
 */
export const RENEWAL_WINDOW_DAYS = 30;

const DAY = 86400_000;
/** Milliseconds since the epoch of a Date or of stored ISO-8601 text. */
const ms = (v: Date | string) => (typeof v === 'string' ? Date.parse(v) : v.getTime());
/** Stored instants are fixed-width ISO-8601 UTC text (database/columns.ts): they compare as strings. */
const iso = (v: Date | string) => (typeof v === 'string' ? v : v.toISOString());

/**
 * The status as of `now`: `expired` for a stored `valid` certificate whose
 * `validUntil` is not after `now`; otherwise the stored status.
 * `validUntil` may be a Date or the stored fixed-width ISO-8601 UTC text
 * (database/columns.ts), which compares as a string.
 */
export function effectiveStatus(c: { status: StoredCertificateStatus; validUntil: Date | string }, now = new Date()): CertificateStatus {
  if (c.status !== 'valid') return c.status;
  return iso(c.validUntil) <= now.toISOString() ? 'expired' : 'valid';
}

/**
 * Whether the certificate's status-list bit is set (1 = no longer valid):
 * revoked and superseded ones. The list's purpose is `revocation`, which the
 * specification defines as final, so a set bit is never cleared: a town that
 * lifts a revocation gets a new certificate, never the old one back.
 */
export function statusBitSet(status: StoredCertificateStatus): boolean {
  return status === 'revoked' || status === 'superseded';
}

/**
 * Whether the town may revoke the certificate: its stored status is still
 * `valid` (so it reads valid or expired). Revoking an expired one is allowed
 * on purpose: the revocation's hold on new certificates is what the town wants.
 */
export function revocable(status: CertificateStatus): boolean {
  return status === 'valid' || status === 'expired';
}

/**
 * Whether a revoked certificate still holds back new certificates for its
 * (worker, engagement): until the town reinstates (docs/certificates.md,
 * "Revocation and reinstatement").
 */
export function holdsIssuance(c: { status: CertificateStatus; reinstatedAt: Date | string | null }): boolean {
  return c.status === 'revoked' && c.reinstatedAt === null;
}

/** Whether the town may reinstate: the certificate is revoked and not reinstated yet. */
export const reinstatable = holdsIssuance;

/** A certificate's validity period: from `validFrom` until `validUntil`, each a Date or stored ISO-8601 UTC text. */
export interface Validity {
  validFrom: Date | string;
  validUntil: Date | string;
}

/**
 * The length of a certificate's renewal window, in milliseconds: the last
 * RENEWAL_WINDOW_DAYS (30) days of its validity, but never more than half of
 * it (docs/certificates.md, "When a new certificate is issued"). So 30 days
 * for a validity of 60 days or more, 15 for the shortest allowed (30 days),
 * 22.5 for 45 days.
 *
 * Why half: the window of a certificate opens no earlier than halfway
 * through its validity, so a certificate just issued (by a renewal or
 * anything else) is never in its window. A re-pass renews only while the held
 * certificate's window is open, and the renewed certificate's window is then
 * closed: each certificate is renewed at most once, and re-passes between
 * renewals issue nothing. With a 30-day window on a 30-day certificate every
 * re-pass renewed (issue 13: 5 re-passes, 5 certificates).
 */
export function renewalWindowMs(c: Validity): number {
  const validity = Math.max(0, ms(c.validUntil) - ms(c.validFrom));
  return Math.min(RENEWAL_WINDOW_DAYS * DAY, validity / 2);
}

/** When the certificate's renewal window opens (epoch milliseconds): `validUntil` less `renewalWindowMs`. */
export function renewalWindowOpensAt(c: Validity): number {
  return ms(c.validUntil) - renewalWindowMs(c);
}

/** Is `now` within the certificate's renewal window (from its opening on; an expired certificate is not held, so not renewed)? */
export function inRenewalWindow(c: Validity, now = new Date()): boolean {
  return now.getTime() >= renewalWindowOpensAt(c);
}

/**
 * For many certificates at one instant (progress tracking streams 100,000 of
 * them): does a certificate valid until `validUntil` end within
 * RENEWAL_WINDOW_DAYS (30) days? A certified worker whose certificate does
 * reads `expiring` (reports/worker-status.ts). The bound is computed once, and
 * stored text is compared without parsing. Not the renewal window, which is
 * shorter for short validities (renewalWindowMs).
 */
export function endsWithinRenewalDaysAt(now = new Date()): (validUntil: Date | string) => boolean {
  const bound = new Date(now.getTime() + RENEWAL_WINDOW_DAYS * DAY).toISOString();
  return (validUntil) => iso(validUntil) <= bound;
}

/**
 * The certificate that stands for a (worker, engagement): the newest one not
 * superseded (by `issuedAt`, then by serial so two issued in the same
 * millisecond still give one answer). Null when there is none.
 */
export function standingCertificate<T extends { status: CertificateStatus; issuedAt: Date | string; serial: string }>(
  certificates: Iterable<T>,
): T | null {
  let best: T | null = null;
  for (const c of certificates) {
    if (c.status === 'superseded') continue;
    if (!best || standsBefore(c, best)) best = c;
  }
  return best;
}

/** Whether `candidate` stands before `held` (the same order as standingCertificate), for code that keeps one per key as rows stream by. */
export function standsBefore(
  candidate: { issuedAt: Date | string; serial: string },
  held: { issuedAt: Date | string; serial: string },
): boolean {
  const [a, b] = [iso(candidate.issuedAt), iso(held.issuedAt)];
  return a > b || (a === b && candidate.serial > held.serial);
}

/**
 * The valid certificate a worker holds for an engagement (the one a new
 * certificate would supersede): the standing one among those that read
 * `valid` at `now`. Null when none does.
 */
export function heldCertificate<
  T extends { status: StoredCertificateStatus; validUntil: Date | string; issuedAt: Date | string; serial: string },
>(certificates: Iterable<T>, now = new Date()): T | null {
  return standingCertificate([...certificates].filter((c) => effectiveStatus(c, now) === 'valid'));
}
