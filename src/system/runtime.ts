/*
 * The runtime under the service, and whether its vendor still supports it.
 * Article 9-2 of the special provisions forbids software whose vendor support
 * (patches, version upgrades) has ended, and the training teaches it: the
 * service must not run on such software itself.
 */

/**
 * End of life of each Node.js release line (major → last day of support,
 * YYYY-MM-DD), from the Node.js release schedule (github.com/nodejs/Release,
 * README). Only long-term-support lines (even majors) are supported for
 * production; odd majors are never LTS. Review when a line enters LTS.
 */
export const NODE_END_OF_LIFE: Readonly<Record<number, string>> = {
  18: '2025-04-30',
  20: '2026-04-30',
  22: '2027-04-30',
  24: '2028-04-30',
  26: '2029-04-30',
};

/** The oldest Node.js major this service is built and tested on (package.json `engines`). */
export const MINIMUM_NODE_MAJOR = 24;

export type RuntimeSupport = 'supported' | 'end_of_life' | 'not_lts' | 'unknown';

export interface RuntimeFacts {
  /** e.g. `24.22.3` */
  version: string;
  major: number;
  /** Last day of vendor support (YYYY-MM-DD), null when the line is not in the table. */
  endOfLife: string | null;
  support: RuntimeSupport;
}

/**
 * The facts of a Node.js version on a given day (JST calendar date, YYYY-MM-DD).
 * A line is `end_of_life` from the day after its end-of-life date.
 */
export function nodeRuntimeFacts(version: string, today: string): RuntimeFacts {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  const endOfLife = NODE_END_OF_LIFE[major] ?? null;
  const support: RuntimeSupport =
    major % 2 === 1 ? 'not_lts' : endOfLife === null ? 'unknown' : today > endOfLife ? 'end_of_life' : 'supported';
  return { version: version.replace(/^v/, ''), major, endOfLife, support };
}

/**
 * The line an operator must read at start when the runtime is unsupported, or
 * null when it is supported. (A log message, not user-facing words.)
 */
export function runtimeWarning(f: RuntimeFacts): string | null {
  switch (f.support) {
    case 'supported':
      return f.major < MINIMUM_NODE_MAJOR
        ? `Node.js ${f.version} is older than the supported ${MINIMUM_NODE_MAJOR} LTS: upgrade (README, Quick start)`
        : null;
    case 'end_of_life':
      return `Node.js ${f.version} reached its end of life on ${f.endOfLife} and gets no security fixes (Article 9-2 forbids unsupported software): upgrade to Node.js ${MINIMUM_NODE_MAJOR} LTS`;
    case 'not_lts':
      return `Node.js ${f.version} is not a long-term-support line: run Node.js ${MINIMUM_NODE_MAJOR} LTS in production`;
    case 'unknown':
      return `Node.js ${f.version} is not in the service's release table: check its support status`;
  }
}
