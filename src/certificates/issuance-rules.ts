import { inRenewalWindow, renewalWindowStart } from './standing';

/** A module as a certificate attests it: the module, the revision passed, when. `completedAt` is ISO-8601 UTC. */
export interface AttestedModule {
  moduleId: string;
  revision: number;
  completedAt: string;
}

/** Why a new certificate is issued while one is still valid; `first` when none is. */
export type IssueReason = 'first' | 'curriculum' | 'revision' | 'renewal';

/**
 * Whether a worker who holds `held` (their valid certificate for the
 * engagement, or null) gets a new one attesting `attested` (the newest
 * counting completion of each curriculum module, completion-rules.ts).
 * A certificate is re-issued only when the facts it states would change
 * (docs/certificates.md, "When a new certificate is issued"):
 * - `curriculum`: the set of modules differs (the town changed the curriculum);
 * - `revision`: a module was passed at a newer content revision than attested;
 * - `renewal`: in the last RENEWAL_WINDOW_DAYS (30) days of validity, a module
 *   was passed again inside that window, so the validity starts anew.
 * Any other pass (practice, a re-take months before expiry) issues nothing.
 * Returns null when nothing is to be issued.
 */
export function issueReason(
  held: { modules: readonly AttestedModule[]; validUntil: Date | string } | null,
  attested: readonly AttestedModule[],
  now = new Date(),
): IssueReason | null {
  if (!held) return 'first';
  const before = new Map(held.modules.map((m) => [m.moduleId, m]));
  if (before.size !== attested.length || attested.some((m) => !before.has(m.moduleId))) return 'curriculum';
  if (attested.some((m) => m.revision > before.get(m.moduleId)!.revision)) return 'revision';
  if (inRenewalWindow(held.validUntil, now)) {
    const windowStart = renewalWindowStart(held.validUntil);
    if (attested.some((m) => Date.parse(m.completedAt) >= windowStart)) return 'renewal';
  }
  return null;
}
