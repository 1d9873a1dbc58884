/** How much data, how much load and for how long: the full run and the smoke test's `--quick` run. */
export interface Sizes {
  name: 'full' | 'quick';
  /** Certificates in the database for the verification workloads (at least the tracking engagements' own). */
  certificates: number;
  /** Workers of the tracking engagement (progress, readiness). */
  workers: number;
  /** Workers of the engagement for the linearity check. */
  workersLarge: number;
  /** Organizations of each tracking engagement: the prime and subcontractors over three tiers. */
  organizations: number;
  csvRows: number;
  /** Workers sitting quizzes at once (one connection each). */
  quizWorkers: number;
  /** Connections for the certificate lookups. */
  connections: number;
  /** Serials whose ETags the conditional GETs send back (fetched from each server first). */
  conditionalSerials: number;
  /** Seconds of load per HTTP workload, after `warmupSeconds` of unmeasured load. */
  loadSeconds: number;
  warmupSeconds: number;
  /** The load is split into this many rounds, service and baseline alternating. */
  rounds: number;
  /** Timed reports per tracking workload (after one unmeasured). */
  reportRuns: number;
  reportRunsLarge: number;
  /** Timed imports per side (each into a fresh organization). */
  csvRuns: number;
}

export const FULL: Sizes = {
  name: 'full',
  certificates: 100_000,
  workers: 10_000,
  workersLarge: 100_000,
  organizations: 50,
  csvRows: 10_000,
  quizWorkers: 64,
  connections: 32,
  conditionalSerials: 2_000,
  loadSeconds: 8,
  warmupSeconds: 2,
  rounds: 4,
  reportRuns: 12,
  reportRunsLarge: 4,
  csvRuns: 3,
};

export const QUICK: Sizes = {
  name: 'quick',
  certificates: 2_000,
  workers: 300,
  workersLarge: 3_000,
  organizations: 50,
  csvRows: 500,
  quizWorkers: 8,
  connections: 8,
  conditionalSerials: 200,
  loadSeconds: 1,
  warmupSeconds: 0.3,
  rounds: 1,
  reportRuns: 3,
  reportRunsLarge: 2,
  csvRuns: 1,
};
