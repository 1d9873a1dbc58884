import { plainToInstance, Type } from 'class-transformer';
import { IsArray, IsBoolean, IsDefined, IsIn, IsOptional, IsString, Matches, ValidateNested, validateSync } from 'class-validator';
import { parseDocument } from 'yaml';
import { flattenErrors } from '../loader/validate';
import { KEBAB_CASE, LANGS, Localized, type Lang, type TrainingModule } from '../content.types';
import type { Finding } from './findings';
import { excerpt, markdownLineText, textUnits } from './text';

/*
 * One term list (issue 14): content/glossary.yaml holds the preferred terms
 * with their definitions and the rules `content:check` applies to every text of
 * every module (title, summary, lesson lines, stems, choices, explanations):
 *
 * - banned: a pattern that must not appear (after masking `allow` matches);
 * - mixed: within one sentence (split on 。 and line ends), the contract's term
 *   and the everyday term must not both appear (after masking `allow`, where
 *   the fixed glosses such as 甲（町） and quotations live);
 * - polite-section: every sentence of the lesson section whose heading contains
 *   `section` must end as `endings` says (です・ます style for まとめ).
 *
 * Patterns run on the NFKC-normalized text (full-width brackets become
 * half-width), case-sensitive unless the rule says `ignoreCase: true`.
 */

export const GLOSSARY_FILE = 'glossary.yaml';

export class GlossaryTerm {
  @IsString({ message: 'must be a string' })
  @Matches(KEBAB_CASE, { message: 'must be kebab-case' })
  id: string;

  @IsDefined({ message: 'is required' })
  @ValidateNested({ message: 'must be a mapping with ja and en' })
  @Type(() => Localized)
  term: Localized;

  @IsDefined({ message: 'is required' })
  @ValidateNested({ message: 'must be a mapping with ja and en' })
  @Type(() => Localized)
  definition: Localized;
}

export const RULE_KINDS = ['banned', 'mixed', 'polite-section'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export class GlossaryRule {
  @IsString({ message: 'must be a string' })
  @Matches(KEBAB_CASE, { message: 'must be kebab-case' })
  id: string;

  @IsIn(LANGS, { message: `must be one of ${LANGS.join(', ')}` })
  lang: Lang;

  @IsIn(RULE_KINDS, { message: `must be one of ${RULE_KINDS.join(', ')}` })
  kind: RuleKind;

  /** What to write instead; shown with every finding. */
  @IsString({ message: 'must be a string' })
  use: string;

  @IsOptional()
  @IsString({ message: 'must be a string' })
  note?: string;

  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  ignoreCase?: boolean;

  /** kind banned: the pattern to flag. */
  @IsOptional()
  @IsString({ message: 'must be a regular expression in a string' })
  banned?: string;

  /** kind banned or mixed: matches masked before testing (glosses, proper nouns, quotations). */
  @IsOptional()
  @IsString({ message: 'must be a regular expression in a string' })
  allow?: string;

  /** kind mixed: the contract's term. */
  @IsOptional()
  @IsString({ message: 'must be a regular expression in a string' })
  contract?: string;

  /** kind mixed: the everyday term. */
  @IsOptional()
  @IsString({ message: 'must be a regular expression in a string' })
  everyday?: string;

  /** kind polite-section: text in the section's heading. */
  @IsOptional()
  @IsString({ message: 'must be a string' })
  section?: string;

  /** kind polite-section: how every sentence must end (a pattern anchored with $). */
  @IsOptional()
  @IsString({ message: 'must be a regular expression in a string' })
  endings?: string;
}

export class GlossaryFile {
  @IsArray({ message: 'must be a list of terms' })
  @ValidateNested({ each: true, message: 'each term must be a mapping' })
  @Type(() => GlossaryTerm)
  terms: GlossaryTerm[];

  @IsArray({ message: 'must be a list of rules' })
  @ValidateNested({ each: true, message: 'each rule must be a mapping' })
  @Type(() => GlossaryRule)
  rules: GlossaryRule[];
}

/** A rule with its patterns compiled. */
export interface CompiledRule {
  readonly id: string;
  readonly lang: Lang;
  readonly kind: RuleKind;
  readonly use: string;
  readonly note?: string;
  readonly banned?: RegExp;
  readonly allow?: RegExp;
  readonly contract?: RegExp;
  readonly everyday?: RegExp;
  readonly section?: string;
  readonly endings?: RegExp;
}

export interface Glossary {
  readonly terms: readonly GlossaryTerm[];
  readonly rules: readonly CompiledRule[];
}

const REQUIRED: Record<RuleKind, readonly (keyof GlossaryRule)[]> = {
  banned: ['banned'],
  mixed: ['contract', 'everyday'],
  'polite-section': ['section', 'endings'],
};
const PATTERN_FIELDS = ['banned', 'allow', 'contract', 'everyday', 'endings'] as const;

/**
 * Parses and validates glossary.yaml. Problems (bad YAML, unknown keys,
 * missing fields for the rule's kind, patterns that do not compile, duplicate
 * ids) are `always` findings; rules with problems are left out.
 */
export function parseGlossary(text: string): { glossary: Glossary; findings: Finding[] } {
  const findings: Finding[] = [];
  const problem = (where: string, message: string) =>
    findings.push({ check: 'glossary', file: GLOSSARY_FILE, where, message, severity: 'always' });
  const empty = { glossary: { terms: [], rules: [] }, findings };
  const doc = parseDocument(text, { uniqueKeys: true });
  for (const e of [...doc.errors, ...doc.warnings])
    problem(e.linePos ? `line ${e.linePos[0].line}` : '(document)', e.message.split('\n')[0]);
  if (doc.errors.length || doc.warnings.length) return empty;
  const raw: unknown = doc.toJS();
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    problem('(document)', 'must be a mapping with `terms` and `rules` lists');
    return empty;
  }
  const file = plainToInstance(GlossaryFile, raw);
  const errors = validateSync(file, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  for (const e of flattenErrors(errors)) problem(e.field, e.message);
  const badIndexes = (prop: string) =>
    new Set(errors.flatMap((e) => (e.property === prop ? (e.children ?? []).map((c) => Number(c.property)) : [])));

  const terms = Array.isArray(file.terms) ? file.terms.filter((_, i) => !badIndexes('terms').has(i)) : [];
  const rules: CompiledRule[] = [];
  const seen = new Set<string>();
  const badRules = badIndexes('rules');
  (Array.isArray(file.rules) ? file.rules : []).forEach((r, i) => {
    if (badRules.has(i)) return;
    const at = `rules[${i}]`;
    if (seen.has(r.id)) return problem(`${at}.id`, `duplicate rule id "${r.id}"`);
    seen.add(r.id);
    const missing = REQUIRED[r.kind].filter((f) => r[f] === undefined);
    if (missing.length) return problem(at, `kind ${r.kind} needs ${missing.join(', ')}`);
    const compiled: Record<string, RegExp> = {};
    for (const f of PATTERN_FIELDS) {
      const source = r[f];
      if (source === undefined) continue;
      try {
        compiled[f] = new RegExp(source, r.ignoreCase ? 'iu' : 'u');
      } catch (err) {
        return problem(`${at}.${f}`, `not a valid regular expression: ${(err as Error).message}`);
      }
    }
    rules.push({ id: r.id, lang: r.lang, kind: r.kind, use: r.use, note: r.note, section: r.section, ...compiled });
  });
  return { glossary: { terms, rules }, findings };
}

/** `text` with every match of `allow` replaced by spaces of the same length (indexes stay valid). */
function mask(text: string, allow: RegExp | undefined): string {
  if (!allow) return text;
  const global = new RegExp(allow.source, allow.flags.includes('g') ? allow.flags : allow.flags + 'g');
  return text.replace(global, (m) => ' '.repeat(m.length));
}

/** Sentences of a text with their start index: split after 。 and at line ends. */
function sentences(text: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  const re = /[^。\n]+。?/g;
  for (const m of text.matchAll(re)) if (m[0].trim()) out.push({ text: m[0], start: m.index });
  return out;
}

type GlossaryModule = Pick<TrainingModule, 'id' | 'title' | 'summary' | 'lessonMarkdown' | 'questions'>;

/** Every glossary finding in the modules, `fail` severity, with file, place and a short excerpt. */
export function glossaryFindings(modules: readonly GlossaryModule[], glossary: Glossary): Finding[] {
  const findings: Finding[] = [];
  for (const m of modules) {
    for (const rule of glossary.rules) if (rule.kind === 'polite-section') findings.push(...politeSection(m, rule));
    findings.push(...textFindings(textUnits(m), glossary, m.id));
  }
  return findings;
}

/**
 * The banned and mixed rules over the statements of content/facts.yaml: they are the words the
 * lessons may state, so they keep the same terms and citation forms (`fail`, like a module's).
 */
export function factGlossaryFindings(facts: readonly { id: string; statement: Record<Lang, string> }[], glossary: Glossary): Finding[] {
  const units = facts.flatMap((f) =>
    LANGS.map((lang) => ({ file: 'facts.yaml', where: `${f.id}.statement.${lang}`, lang, text: f.statement[lang] })),
  );
  return textFindings(units, glossary);
}

/** The banned and mixed rules over pieces of text, each in one language. */
function textFindings(
  units: readonly { file: string; where: string; lang: Lang; text: string }[],
  glossary: Glossary,
  moduleId?: string,
): Finding[] {
  const findings: Finding[] = [];
  for (const rule of glossary.rules) {
    if (rule.kind === 'polite-section') continue;
    const add = (file: string, where: string, text: string, at: number, length: number, message?: string) =>
      findings.push({
        check: 'glossary',
        ...(moduleId ? { moduleId } : {}),
        file,
        where,
        message: `${rule.id}: ${message ?? `write ${rule.use}`}`,
        excerpt: excerpt(text, at, length),
        severity: 'fail',
      });
    for (const u of units) {
      if (u.lang !== rule.lang) continue;
      const text = u.text.normalize('NFKC');
      const masked = mask(text, rule.allow);
      if (rule.kind === 'banned') {
        const hit = rule.banned!.exec(masked);
        if (hit) add(u.file, u.where, text, hit.index, hit[0].length);
      } else {
        for (const s of sentences(masked)) {
          const c = rule.contract!.exec(s.text);
          const e = rule.everyday!.exec(s.text);
          if (c && e) {
            add(u.file, u.where, text, s.start, Math.min(s.text.length, 40), `one sentence mixes ${c[0]} and ${e[0]}: ${rule.use}`);
            break;
          }
        }
      }
    }
  }
  return findings;
}

/** Sentences of a lesson section (heading contains rule.section) that do not end as rule.endings says. */
function politeSection(m: GlossaryModule, rule: CompiledRule): Finding[] {
  const out: Finding[] = [];
  const lines = m.lessonMarkdown[rule.lang].split('\n');
  let inSection = false;
  lines.forEach((raw, i) => {
    const heading = /^\s{0,3}#{1,6}\s+(.*)$/.exec(raw);
    if (heading) {
      inSection = heading[1].includes(rule.section!);
      return;
    }
    if (!inSection || !raw.trim()) return;
    const line = markdownLineText(raw).normalize('NFKC');
    for (const s of sentences(line)) {
      // A trailing citation such as (第12) or (第16・第6) is not the end of the sentence.
      const body = s.text
        .replace(/。$/, '')
        .replace(/(?:\s*\([^()]*\))+\s*$/, '')
        .trim();
      if (body && !rule.endings!.test(body)) {
        out.push({
          check: 'glossary',
          moduleId: m.id,
          file: `modules/${m.id}/lesson.${rule.lang}.md`,
          where: `line ${i + 1}`,
          message: `${rule.id}: write ${rule.use}`,
          excerpt: excerpt(line, Math.max(0, s.start + s.text.length - 20), 20, 0),
          severity: 'fail',
        });
        break;
      }
    }
  });
  return out;
}
