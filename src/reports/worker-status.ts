import type { CertificateStatus } from '../certificates/standing';

/*
 * A worker's standing on an engagement, as progress, readiness and the
 * Article 11 report count it. What a certificate's status means is
 * standing.ts's; a module's status is completion-rules.ts's.
 */

/**
 * A certified worker whose certificate ends within 30 days (standing.ts RENEWAL_WINDOW_DAYS) reads `expiring`.
 * `not_enrolled` (未登録): registered by a manager but never enrolled with a code, so they cannot have started;
 * `not_started` (未着手): enrolled, no curriculum module tried yet.
 */
export type WorkerStatus = 'not_enrolled' | 'not_started' | 'in_progress' | 'certified' | 'expiring';

/** The statuses in the order the completion bars draw them (完了, 受講中, 未着手, 未登録); `expiring` counts as certified. */
export const WORKER_STATUSES = ['certified', 'expiring', 'in_progress', 'not_started', 'not_enrolled'] as const;

/**
 * The worker's status from the certificate that stands for them (its status
 * now, or null), whether that certificate ends within 30 days, and
 * whether they ever started a curriculum module, and whether they ever enrolled.
 */
export function workerStatus(certificate: CertificateStatus | null, endsSoon: boolean, attempted: boolean, enrolled = true): WorkerStatus {
  if (certificate === 'valid') return endsSoon ? 'expiring' : 'certified';
  return attempted ? 'in_progress' : enrolled ? 'not_started' : 'not_enrolled';
}

/** Whether a worker counts as certified (totals, filters, readiness, the Article 11 report): `certified` or `expiring`. */
export const isCertified = (status: WorkerStatus) => status === 'certified' || status === 'expiring';
