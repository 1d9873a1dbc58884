import type { CertificateStatus } from '../certificates/standing';

/*
 * A worker's standing on an engagement, as progress, readiness and the
 * Article 11 report count it. What a certificate's status means is
 * standing.ts's; a module's status is completion-rules.ts's.
 */

/** A certified worker whose certificate ends within 30 days (standing.ts RENEWAL_WINDOW_DAYS) reads `expiring`. */
export type WorkerStatus = 'not_started' | 'in_progress' | 'certified' | 'expiring';

/**
 * The worker's status from the certificate that stands for them (its status
 * now, or null), whether that certificate ends within 30 days, and
 * whether they ever started a curriculum module.
 */
export function workerStatus(certificate: CertificateStatus | null, endsSoon: boolean, attempted: boolean): WorkerStatus {
  if (certificate === 'valid') return endsSoon ? 'expiring' : 'certified';
  return attempted ? 'in_progress' : 'not_started';
}

/** Whether a worker counts as certified (totals, filters, readiness, the Article 11 report): `certified` or `expiring`. */
export const isCertified = (status: WorkerStatus) => status === 'certified' || status === 'expiring';
