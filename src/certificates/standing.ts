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
 * The last days of a certificate's validity: re-training in them renews the
 * certificate (issuance-rules.ts), and tracking shows the worker as
 * `expiring` meanwhile. 30 days.
 */
export const RENEWAL_WINDOW_DAYS = 30;

const DAY = 86400_000;

/**
 * The status as of `now`: `expired` for a stored `valid` certificate whose
 * `validUntil` is not after `now`; otherwise the stored status.
 * `validUntil` may be a Date or the stored fixed-width ISO-8601 UTC text
 * (database/columns.ts), which compares as a string.
 */
export function effectiveStatus(c: { status: StoredCertificateStatus; validUntil: Date | string }, now = new Date()): CertificateStatus {
  if (c.status !== 'valid') return c.status;
  const until = typeof c.validUntil === 'string' ? c.validUntil : c.validUntil.toISOString();
  return until <= now.toISOString() ? 'expired' : 'valid';
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

/** Is `now` within the renewal window of a certificate valid until `validUntil`? */
export function inRenewalWindow(validUntil: Date | string, now = new Date()): boolean {
  const until = typeof validUntil === 'string' ? Date.parse(validUntil) : validUntil.getTime();
  return now.getTime() >= until - RENEWAL_WINDOW_DAYS * DAY;
}

/**
 * The certificate that stands for a (worker, engagement): the newest one not
 * superseded (by `issuedAt`, then by serial so two issued in the same
 * millisecond still give one answer). Null when there is none.
 */
export function standingCertificate<T extends { status: CertificateStatus; issuedAt: string; serial: string }>(
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
export function standsBefore(candidate: { issuedAt: string; serial: string }, held: { issuedAt: string; serial: string }): boolean {
  return candidate.issuedAt > held.issuedAt || (candidate.issuedAt === held.issuedAt && candidate.serial > held.serial);
}
