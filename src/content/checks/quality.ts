import type { TrainingModule } from '../content.types';
import { cueProblems, scoreCueChecker, type CueReport } from './cue-checker';
import type { Finding } from './findings';

/*
 * Runs every content quality check of issue 14 over loaded modules. Pure.
 */

export interface QualityReport {
  readonly cues: CueReport;
  /** Every finding, cue and duplicate findings included. */
  readonly findings: readonly Finding[];
}

/** All checks over `modules` as loadContent() returns them. */
export function runQualityChecks(modules: readonly TrainingModule[]): QualityReport {
  const findings: Finding[] = [];

  const cues = scoreCueChecker(modules);
  for (const p of cueProblems(cues))
    findings.push({
      check: 'cues',
      moduleId: p.moduleId,
      file: p.moduleId ? `modules/${p.moduleId}/questions.yaml` : 'modules',
      where: p.moduleId ? 'cue score' : 'overall cue score',
      message: p.message,
      severity: 'fail',
    });

  return { cues, findings };
}

/** Whether the findings fail the check: any `always`; any `fail` unless report-only. */
export function failing(findings: readonly Finding[], reportOnly: boolean): Finding[] {
  return findings.filter((f) => f.severity === 'always' || (f.severity === 'fail' && !reportOnly));
}
