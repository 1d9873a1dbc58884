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

/** When the renewal window of a certificate valid until `validUntil` opens, in milliseconds since the epoch. */
export function renewalWindowStart(validUntil: Date | string): number {
  return ms(validUntil) - RENEWAL_WINDOW_DAYS * DAY;
}

/** Is `now` within the renewal window of a certificate valid until `validUntil`? */
export function inRenewalWindow(validUntil: Date | string, now = new Date()): boolean {
  return now.getTime() >= renewalWindowStart(validUntil);
}

/**
 * `inRenewalWindow` at one instant for many certificates (progress tracking
 * streams 100,000 of them): the bound is computed once, and stored text is
 * compared without parsing. A certified worker whose certificate is in the
 * window reads `expiring`.
 */
export function renewalWindowAt(now = new Date()): (validUntil: Date | string) => boolean {
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
