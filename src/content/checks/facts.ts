import { plainToInstance, Type } from 'class-transformer';
import { IsArray, IsDefined, IsString, Matches, ValidateNested, validateSync } from 'class-validator';
import { parseDocument } from 'yaml';
import { flattenErrors } from '../loader/validate';
import { FACT_ID, Localized, type Lang, type TrainingModule } from '../content.types';
import type { Finding } from './findings';
import { excerpt, textUnits } from './text';

/*
 * Facts that carry their date (issue 14). content/facts.yaml lists every
 * time-bound fact the content may state — threat rankings, end-of-support
 * dates, penalties, reporting deadlines and thresholds — with its source, the
 * date it was checked (asOf) and the date by which it must be checked again
 * (reviewBy). Modules declare `facts: [ids]` for what their lesson states,
 * questions for what they state. `content:check` fails when a declared id does
 * not exist or a reviewBy has passed (Japan time), and reports time-bound
 * wording in content that declares no fact.
 */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** `[KEY] https://…`, several joined by ` ; `: the source keys and URLs of the fact sheet. */
const SOURCE = /^\[[A-Z][0-9]+\] https?:\/\/\S+(?: [^;]*)?(?: ; \[[A-Z][0-9]+\] https?:\/\/\S+(?: [^;]*)?)*$/;

/** One entry of content/facts.yaml. */
export class Fact {
  @IsString({ message: 'must be a string' })
  @Matches(FACT_ID, { message: 'must be kebab-case (e.g. ipa-10-threats-2026)' })
  id: string;

  @IsDefined({ message: 'is required' })
  @ValidateNested({ message: 'must be a mapping with ja and en' })
  @Type(() => Localized)
  statement: Localized;

  @IsString({ message: 'must be a string' })
  @Matches(SOURCE, { message: 'must be "[KEY] https://…" (source key and URL), several joined by " ; "' })
  source: string;

  @IsString({ message: 'must be a date written YYYY-MM-DD' })
  @Matches(ISO_DATE, { message: 'must be a date written YYYY-MM-DD' })
  asOf: string;

  @IsString({ message: 'must be a date written YYYY-MM-DD' })
  @Matches(ISO_DATE, { message: 'must be a date written YYYY-MM-DD' })
  reviewBy: string;
}

/** content/facts.yaml. */
export class FactsFile {
  @IsArray({ message: 'must be a list of facts' })
  @ValidateNested({ each: true, message: 'each fact must be a mapping' })
  @Type(() => Fact)
  facts: Fact[];
}

export const FACTS_FILE = 'facts.yaml';

/**
 * Parses and validates facts.yaml text. Returns the facts (only the valid ones
 * when there are problems) and one `always` finding per problem: bad YAML,
 * unknown keys, bad dates, duplicate ids, asOf after reviewBy.
 */
export function parseFacts(text: string): { facts: Fact[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const problem = (where: string, message: string) =>
    findings.push({ check: 'facts', file: FACTS_FILE, where, message, severity: 'always' });
  const doc = parseDocument(text, { uniqueKeys: true });
  for (const e of [...doc.errors, ...doc.warnings])
    problem(e.linePos ? `line ${e.linePos[0].line}` : '(document)', e.message.split('\n')[0]);
  if (doc.errors.length || doc.warnings.length) return { facts: [], findings };
  const raw: unknown = doc.toJS();
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    problem('(document)', 'must be a mapping with a `facts` list');
    return { facts: [], findings };
  }
  const file = plainToInstance(FactsFile, raw);
  const errors = validateSync(file, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  for (const e of flattenErrors(errors)) problem(e.field, e.message);
  if (!Array.isArray(file.facts)) return { facts: [], findings };
  const bad = new Set(errors.flatMap((e) => (e.property === 'facts' ? (e.children ?? []).map((c) => Number(c.property)) : [])));
  const facts: Fact[] = [];
  const seen = new Map<string, number>();
  file.facts.forEach((f, i) => {
    if (bad.has(i)) return;
    const first = seen.get(f.id);
    if (first !== undefined) return problem(`facts[${i}].id`, `duplicate fact id "${f.id}" (also facts[${first}])`);
    seen.set(f.id, i);
    for (const field of ['asOf', 'reviewBy'] as const)
      if (!isRealDate(f[field])) return problem(`facts[${i}].${field}`, `${f[field]} is not a calendar date`);
    if (f.asOf > f.reviewBy) return problem(`facts[${i}].reviewBy`, `${f.reviewBy} is before asOf ${f.asOf}`);
    facts.push(f);
  });
  return { facts, findings };
}

function isRealDate(iso: string): boolean {
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso;
}

/** Facts whose reviewBy is before `today` (YYYY-MM-DD): `always` findings. The review day itself still passes. */
export function staleFacts(facts: readonly Fact[], today: string): Finding[] {
  return facts
    .filter((f) => f.reviewBy < today)
    .map((f) => ({
      check: 'facts',
      file: FACTS_FILE,
      where: f.id,
      message: `reviewBy ${f.reviewBy} has passed (today ${today}, Japan time): check the fact against its source, then update statement, asOf and reviewBy — and every lesson and question that declares it`,
      severity: 'always',
    }));
}

/** Declared fact ids that facts.yaml does not define: `always` findings. */
export function unknownFactRefs(modules: readonly Pick<TrainingModule, 'id' | 'facts' | 'questions'>[], facts: readonly Fact[]): Finding[] {
  const known = new Set(facts.map((f) => f.id));
  const findings: Finding[] = [];
  for (const m of modules) {
    for (const id of m.facts)
      if (!known.has(id))
        findings.push({
          check: 'facts',
          moduleId: m.id,
          file: `modules/${m.id}/module.yaml`,
          where: 'facts',
          message: `unknown fact "${id}" (not in ${FACTS_FILE})`,
          severity: 'always',
        });
    for (const q of m.questions)
      for (const id of q.facts)
        if (!known.has(id))
          findings.push({
            check: 'facts',
            moduleId: m.id,
            file: `modules/${m.id}/questions.yaml`,
            where: `${q.id}.facts`,
            message: `unknown fact "${id}" (not in ${FACTS_FILE})`,
            severity: 'always',
          });
  }
  return findings;
}

/**
 * Wording that makes a statement time-bound: it is true as of a date and may
 * stop being true. Each pattern runs, ignoring case, on the NFKC-normalized text
 * (so full-width digits count). Law numbers (平成15年法律第57号) and standard
 * versions (ISO/IEC 27001:2022) are not dates of a fact and are left out.
 */
export const TIME_BOUND: Readonly<Record<Lang, readonly { readonly name: string; readonly pattern: RegExp }[]>> = {
  ja: [
    { name: 'year', pattern: /(?<![0-9a-z:/.])(?:19|20)[0-9]{2}(?![0-9])/i },
    { name: 'era year', pattern: /(?:令和|平成)(?:[0-9]+|元)年(?!法律第)/i },
    { name: 'threat ranking', pattern: /10大脅威|十大脅威/i },
    // Product lifecycles only: 第9第2項's general サポートが終了したソフトウェア is the rule itself, not a dated fact.
    { name: 'end of support', pattern: /延長サポート|拡張セキュリティ更新|\besu\b|\beol\b|windows ?(?:7|8\.1|10)\b|node\.?js ?[0-9]+/i },
    { name: 'penalty', pattern: /拘禁刑|懲役|禁錮|罰金|科料|過料/i },
    { name: 'amount', pattern: /[0-9,]+万円|[0-9,]+億円|円以下|¥ ?[0-9]/i },
    { name: 'deadline', pattern: /[0-9]+日以内|[0-9]+ ?[〜~-] ?[0-9]+ ?日|[0-9]+日(?:まで|後)に?(?:報告|提出)/i },
    { name: 'threshold', pattern: /[0-9,]+人(?:を超|超|以上)/i },
  ],
  en: [
    // "Act No. 57 of 2003" is a law's number, not a date.
    { name: 'year', pattern: /(?<![0-9a-z:/.])(?<!no\. [0-9]+ of )(?:19|20)[0-9]{2}(?![0-9])/i },
    { name: 'threat ranking', pattern: /\btop ?10\b|\bten major\b|\b10 major\b|10大脅威/i },
    // Product lifecycles only: Article 9(2)'s general "software whose support has ended" is the rule itself, not a dated fact.
    { name: 'end of support', pattern: /\beol\b|\besu\b|extended security updates?|windows ?(?:7|8\.1|10)\b|node\.?js ?[0-9]+/i },
    {
      name: 'penalty',
      pattern: /\bimprisonment\b|\bprison\b|\bfines?\s+of\b|\bfined\b|\b(?:criminal|company|corporate) fines?\b|拘禁刑|懲役/i,
    },
    { name: 'amount', pattern: /¥ ?[0-9]|\b[0-9][0-9,.]* ?(?:million |hundred million )?yen\b/i },
    { name: 'deadline', pattern: /\bwithin (?:about )?[0-9]+ days\b|\b[0-9]+ ?(?:–|-|to) ?[0-9]+ days\b|\b[0-9]+ days (?:after|of)\b/i },
    { name: 'threshold', pattern: /\b(?:more than|over|at least) [0-9,]+ (?:people|persons|individuals)\b/i },
  ],
};

/** The time-bound patterns a text matches, with the first match's index. */
export function timeBoundMatches(text: string, lang: Lang): { name: string; index: number; length: number }[] {
  const t = text.normalize('NFKC');
  return TIME_BOUND[lang].flatMap(({ name, pattern }) => {
    const m = pattern.exec(t);
    return m ? [{ name, index: m.index, length: m[0].length }] : [];
  });
}

/**
 * Time-bound wording in content that declares no fact: a lesson line when its
 * module declares none; a question stem, choice or explanation when neither
 * the question nor its module declares one. One `fail` finding per text.
 */
export function untaggedTimeBound(
  modules: readonly Pick<TrainingModule, 'id' | 'title' | 'summary' | 'lessonMarkdown' | 'questions' | 'facts'>[],
): Finding[] {
  const findings: Finding[] = [];
  for (const m of modules) {
    const questionFacts = new Map(m.questions.map((q) => [q.id, q.facts.length]));
    for (const u of textUnits(m)) {
      const declared = m.facts.length > 0 || (u.questionId !== undefined && questionFacts.get(u.questionId)! > 0);
      if (declared) continue;
      const hits = timeBoundMatches(u.text, u.lang);
      if (!hits.length) continue;
      const first = hits[0];
      const owner = u.questionId ? `question ${u.questionId} (or the module)` : 'the module';
      findings.push({
        check: 'facts',
        moduleId: m.id,
        file: u.file,
        where: u.where,
        message: `time-bound wording (${hits.map((h) => h.name).join(', ')}) but ${owner} declares no fact`,
        excerpt: excerpt(u.text.normalize('NFKC'), first.index, first.length),
        severity: 'fail',
      });
    }
  }
  return findings;
}
