import type { TrainingModule } from '../content/content.types';

export interface CompletionFact {
  moduleId: string;
  revision: number;
  completedAt: Date;
}

const DAY = 86400_000;

/**
 * Does a completion count for an engagement? It must be at or above the
 * module's minimumRevision, and recent enough that a certificate issued now
 * would not attest training older than the engagement's validity period.
 * One rule, used by the worker's view, certificate issuance and progress.
 */
export function counts(
  c: CompletionFact,
  module: Pick<TrainingModule, 'id' | 'minimumRevision'>,
  validityDays: number,
  now = new Date(),
): boolean {
  return c.moduleId === module.id && c.revision >= module.minimumRevision && c.completedAt.getTime() > now.getTime() - validityDays * DAY;
}

/** The newest counting completion of a module, if any. */
export function countingCompletion<C extends CompletionFact>(
  completions: C[],
  module: Pick<TrainingModule, 'id' | 'minimumRevision'>,
  validityDays: number,
  now = new Date(),
): C | undefined {
  let best: C | undefined;
  for (const c of completions) if (counts(c, module, validityDays, now) && (!best || c.completedAt > best.completedAt)) best = c;
  return best;
}

export type ModuleStatus = 'not_started' | 'in_progress' | 'completed';

/**
 * A module's status for a worker on an engagement: `completed` when a
 * completion counts (countingCompletion), `in_progress` once an attempt was
 * started, else `not_started`. One rule for the worker's pages and progress tracking.
 */
export function moduleStatus(counting: CompletionFact | undefined, attempted: boolean): ModuleStatus {
  return counting ? 'completed' : attempted ? 'in_progress' : 'not_started';
}
