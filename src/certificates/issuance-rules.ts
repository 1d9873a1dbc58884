import { inRenewalWindow, renewalWindowOpensAt, Validity } from './standing';

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
 * - `renewal`: the held certificate's renewal window is open (its last 30
 *   days of validity, at most half of it: standing.ts `renewalWindowMs`) and
 *   a module was passed again inside that window, so the validity starts
 *   anew. The new certificate's window is closed when it is issued, so each
 *   certificate is renewed at most once.
 * Any other pass (practice, a re-take months before expiry) issues nothing.
 * Returns null when nothing is to be issued.
 */
export function issueReason(
  held: ({ modules: readonly AttestedModule[] } & Validity) | null,
  attested: readonly AttestedModule[],
  now = new Date(),
): IssueReason | null {
  if (!held) return 'first';
  const before = new Map(held.modules.map((m) => [m.moduleId, m]));
  if (before.size !== attested.length || attested.some((m) => !before.has(m.moduleId))) return 'curriculum';
  if (attested.some((m) => m.revision > before.get(m.moduleId)!.revision)) return 'revision';
  if (inRenewalWindow(held, now)) {
    const opened = renewalWindowOpensAt(held);
    if (attested.some((m) => Date.parse(m.completedAt) >= opened)) return 'renewal';
  }
  return null;
}
