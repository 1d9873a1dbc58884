import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { parseDocument, YAMLError } from 'yaml';
import { MAX_CHOICES, MIN_CHOICES, MIN_QUESTIONS, ModuleManifest, QuestionBank } from '../content.types';
import { FILE, Problems } from './problems';
import { provisionCovered, provisionProblem } from './provisions';
import type { ModuleTexts } from './read';

/**
 * Validates a module's manifest and bank: YAML syntax, each file against its
 * class (unknown keys are errors), then the rules across fields and files
 * (id equals the folder, provisions exist and are the module's, bank size,
 * draw size, choices, one correct choice at least). Each cross-field rule runs
 * only where the fields it reads have the right type, so a type error is
 * reported once. Returns the manifest and bank when both are valid and no rule
 * failed; every problem goes to `problems`.
 */
export function validateModule(
  texts: ModuleTexts,
  rel: string,
  folder: string,
  problems: Problems,
): { manifest: ModuleManifest; bank: QuestionBank } | undefined {
  const before = problems.count;
  const manifestFile = `${rel}/module.yaml`;
  const bankFile = `${rel}/questions.yaml`;
  const manifest =
    texts['module.yaml'] !== undefined
      ? validateFile(ModuleManifest, parseYaml(texts['module.yaml'], manifestFile, problems), manifestFile, problems)
      : undefined;
  const bank =
    texts['questions.yaml'] !== undefined
      ? validateFile(QuestionBank, parseYaml(texts['questions.yaml'], bankFile, problems), bankFile, problems)
      : undefined;

  function checkArticles(articles: unknown[]): string[] | undefined {
    if (!articles.length) problems.add(manifestFile, 'articles', 'must list at least one provision');
    let ok = articles.length > 0;
    articles.forEach((a, i) => {
      const problem = typeof a === 'string' ? provisionProblem(a) : null; // non-strings: reported by the type check
      if (typeof a !== 'string') ok = false;
      if (problem) {
        problems.add(manifestFile, `articles[${i}]`, problem);
        ok = false;
      } else if (articles.indexOf(a) !== i) {
        problems.add(manifestFile, `articles[${i}]`, `"${String(a)}" is listed twice`);
      }
    });
    return ok ? (articles as string[]) : undefined;
  }

  // Cross-field rules. Each runs only where the fields it reads have the right type,
  // so a type error is reported once, not again as a follow-on problem.
  const m = manifest?.value;
  const moduleArticles: string[] | undefined = m && Array.isArray(m.articles) ? checkArticles(m.articles) : undefined;
  if (m) {
    if (typeof m.id === 'string' && m.id !== folder)
      problems.add(manifestFile, 'id', `must equal the folder name "${folder}" (is "${m.id}")`);
    if (isInt(m.revision) && isInt(m.minimumRevision) && m.revision >= 1 && (m.minimumRevision < 1 || m.minimumRevision > m.revision))
      problems.add(manifestFile, 'minimumRevision', `must be between 1 and revision (${m.revision})`);
  }

  const questions = bank?.value && Array.isArray(bank.value.questions) ? bank.value.questions : undefined;
  if (questions) {
    if (questions.length < MIN_QUESTIONS)
      problems.add(
        bankFile,
        'questions',
        `has ${questions.length} question${questions.length === 1 ? '' : 's'}; at least ${MIN_QUESTIONS} are required`,
      );
    if (m && isInt(m.drawSize) && m.drawSize > questions.length)
      problems.add(manifestFile, 'drawSize', `${m.drawSize} is more than the ${questions.length} questions in questions.yaml`);

    const questionIds = new Map<string, number>();
    questions.forEach((q, i) => {
      if (!q || typeof q !== 'object') return; // reported by the type check
      const at = `questions[${i}]`;
      if (typeof q.id === 'string') {
        const first = questionIds.get(q.id);
        if (first !== undefined) problems.add(bankFile, `${at}.id`, `duplicate question id "${q.id}" (also questions[${first}])`);
        else questionIds.set(q.id, i);
      }
      if (typeof q.article === 'string') {
        const problem = provisionProblem(q.article);
        if (problem) problems.add(bankFile, `${at}.article`, problem);
        else if (moduleArticles && !provisionCovered(q.article, moduleArticles))
          problems.add(
            bankFile,
            `${at}.article`,
            `"${q.article}" is not among the module's articles (${moduleArticles.join(', ')}) in module.yaml`,
          );
      }
      if (Array.isArray(q.choices)) {
        const choices = q.choices;
        if (choices.length < MIN_CHOICES || choices.length > MAX_CHOICES)
          problems.add(
            bankFile,
            `${at}.choices`,
            `has ${choices.length} choice${choices.length === 1 ? '' : 's'}; ${MIN_CHOICES}–${MAX_CHOICES} are required`,
          );
        const choiceIds = new Map<string, number>();
        choices.forEach((c, j) => {
          if (!c || typeof c !== 'object' || typeof c.id !== 'string') return;
          const first = choiceIds.get(c.id);
          if (first !== undefined)
            problems.add(bankFile, `${at}.choices[${j}].id`, `duplicate choice id "${c.id}" (also choices[${first}])`);
          else choiceIds.set(c.id, j);
        });
        const typed = choices.every((c) => c && typeof c === 'object' && typeof c.correct === 'boolean');
        if (choices.length && typed && !choices.some((c) => c.correct === true))
          problems.add(bankFile, `${at}.choices`, 'no correct choice');
      }
    });
  }
  if (problems.count > before || !manifest?.valid || !bank?.valid || !m) return undefined;
  return { manifest: m, bank: bank.value };
}

/** Parses YAML; syntax errors and warnings (unknown tags, …) become problems with their line. */
function parseYaml(text: string, file: string, problems: Problems): { ok: boolean; value: unknown } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const report = (issues: readonly YAMLError[], kind: string) => {
    for (const issue of issues) {
      const pos = issue.linePos?.[0];
      const where = pos ? `line ${pos.line}, column ${pos.col}` : '(document)';
      const message = issue.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      problems.add(file, where, `${kind}: ${message}`);
    }
  };
  report(doc.errors, 'YAML syntax error');
  report(doc.warnings, 'YAML problem');
  const issues = [...doc.errors, ...doc.warnings];
  if (issues.length) return { ok: false, value: undefined };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) };
  } catch (err) {
    problems.add(file, '(document)', `YAML problem: ${(err as Error).message}`);
    return { ok: false, value: undefined };
  }
}

/**
 * Checks a parsed file against its class (unknown keys are errors). Returns the
 * instance even when invalid, for the cross-field rules, with `valid` telling.
 */
function validateFile<T extends object>(
  cls: new () => T,
  parsed: { ok: boolean; value: unknown },
  file: string,
  problems: Problems,
): { value: T; valid: boolean } | undefined {
  if (!parsed.ok) return undefined;
  const raw = parsed.value;
  if (raw === null || raw === undefined) {
    problems.add(file, FILE, 'empty');
    return undefined;
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.add(file, '(document)', 'must be a mapping of keys to values');
    return undefined;
  }
  const instance = plainToInstance(cls, raw);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  for (const e of flattenErrors(errors)) problems.add(file, e.field, e.message);
  return { value: instance, valid: errors.length === 0 };
}

/** class-validator errors as `{ field: 'questions[3].choices[1].text.en', message }`. */
export function flattenErrors(errors: ValidationError[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = /^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : prefix ? `${prefix}.${e.property}` : e.property;
    const constraints = { ...e.constraints };
    // "must be a list" says it all; don't add "each … must be a mapping" to it.
    if (constraints.isArray) delete constraints.nestedValidation;
    let own: { field: string; message: string }[] = [];
    if (constraints.whitelistValidation) own = [{ field, message: 'unknown key' }];
    else if (Object.keys(constraints).length) {
      const message = e.value === undefined ? (constraints.isText ?? 'is required') : [...new Set(Object.values(constraints))].join('; ');
      own = [{ field, message }];
    }
    return [...own, ...flattenErrors(e.children ?? [], field)];
  });
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}
