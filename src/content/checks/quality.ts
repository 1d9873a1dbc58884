import type { TrainingModule } from '../content.types';
import { cueProblems, scoreCueChecker, type CueReport } from './cue-checker';
import type { Finding } from './findings';
import { nearDuplicates, repeatedScenarios, type DuplicatePair, type RepeatedScenario, type StemRef } from './near-duplicates';
import { articleFindings, choiceFindings } from './structure-checks';

/*
 * Runs every content quality check of issue 14 over loaded modules. Pure.
 */

export interface QualityReport {
  readonly cues: CueReport;
  /** Similar stems across modules, except pairs that are both in one repeated scenario. */
  readonly duplicates: readonly DuplicatePair[];
  readonly scenarios: readonly RepeatedScenario[];
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

  const scenarios = repeatedScenarios(modules);
  const inScenario = (a: StemRef, b: StemRef) =>
    scenarios.some((s) => [a, b].every((r) => s.questions.some((q) => q.moduleId === r.moduleId && q.questionId === r.questionId)));
  // Pairs inside one repeated scenario are reported once, with the scenario.
  const duplicates = nearDuplicates(modules).filter((d) => !inScenario(d.a, d.b));
  for (const d of duplicates)
    findings.push({
      check: 'duplicates',
      moduleId: d.a.moduleId,
      file: `modules/${d.a.moduleId}/questions.yaml`,
      where: d.a.questionId,
      message: `near-duplicate of ${d.b.moduleId}/${d.b.questionId} (stem similarity ja ${d.similarity.ja.toFixed(2)}, en ${d.similarity.en.toFixed(2)})`,
      severity: 'fail',
    });
  for (const s of scenarios)
    findings.push({
      check: 'duplicates',
      file: 'modules',
      where: `scenario ${s.id}`,
      message: `${s.label}, asked in ${new Set(s.questions.map((q) => q.moduleId)).size} modules: ${s.questions
        .map((q) => `${q.moduleId}/${q.questionId}`)
        .join(', ')}`,
      severity: 'fail',
    });

  findings.push(...choiceFindings(modules), ...articleFindings(modules));

  return { cues, duplicates, scenarios, findings };
}

/** Whether the findings fail the check: any `always`; any `fail` unless report-only. */
export function failing(findings: readonly Finding[], reportOnly: boolean): Finding[] {
  return findings.filter((f) => f.severity === 'always' || (f.severity === 'fail' && !reportOnly));
}
