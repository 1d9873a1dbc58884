import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainingModule } from '../content.types';
import { cueProblems, scoreCueChecker, type CueReport } from './cue-checker';
import { FACTS_FILE, parseFacts, staleFacts, unknownFactRefs, untaggedTimeBound, type Fact } from './facts';
import type { Finding } from './findings';
import { factGlossaryFindings, GLOSSARY_FILE, glossaryFindings, parseGlossary } from './glossary';
import { nearDuplicates, repeatedScenarios, type DuplicatePair, type RepeatedScenario, type StemRef } from './near-duplicates';
import { articleFindings } from './structure-checks';

/*
 * Runs every content quality check of issue 14 over loaded modules and the
 * shared files (facts.yaml, glossary.yaml) of a content directory. Pure apart
 * from reading those two files; `today` is passed in so tests can move time.
 */

export interface QualityReport {
  readonly cues: CueReport;
  /** Similar stems across modules, except pairs that are both in one repeated scenario. */
  readonly duplicates: readonly DuplicatePair[];
  readonly scenarios: readonly RepeatedScenario[];
  readonly facts: readonly Fact[];
  /** Every finding, cue and duplicate findings included. */
  readonly findings: readonly Finding[];
}

/** Reads a shared file of the content directory, or reports it missing. */
function readShared(dir: string, name: string, check: 'facts' | 'glossary', findings: Finding[]): string | undefined {
  const path = join(dir, name);
  if (!existsSync(path)) {
    findings.push({ check, file: name, where: '(file)', message: 'missing', severity: 'always' });
    return undefined;
  }
  return readFileSync(path, 'utf8');
}

/**
 * All checks. `modules` as loadContent() returns them; `dir` the content
 * directory holding facts.yaml and glossary.yaml; `today` YYYY-MM-DD (Japan).
 */
export function runQualityChecks(modules: readonly TrainingModule[], dir: string, today: string): QualityReport {
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

  findings.push(...articleFindings(modules));

  let facts: Fact[] = [];
  const factsText = readShared(dir, FACTS_FILE, 'facts', findings);
  if (factsText !== undefined) {
    const parsed = parseFacts(factsText);
    facts = parsed.facts;
    findings.push(...parsed.findings, ...staleFacts(facts, today));
    if (!parsed.findings.length) findings.push(...unknownFactRefs(modules, facts));
  }
  findings.push(...untaggedTimeBound(modules));

  const glossaryText = readShared(dir, GLOSSARY_FILE, 'glossary', findings);
  if (glossaryText !== undefined) {
    const parsed = parseGlossary(glossaryText);
    findings.push(...parsed.findings, ...glossaryFindings(modules, parsed.glossary), ...factGlossaryFindings(facts, parsed.glossary));
  }

  return { cues, duplicates, scenarios, facts, findings };
}

/** Whether the findings fail the check: any `always`; any `fail` unless report-only. */
export function failing(findings: readonly Finding[], reportOnly: boolean): Finding[] {
  return findings.filter((f) => f.severity === 'always' || (f.severity === 'fail' && !reportOnly));
}
