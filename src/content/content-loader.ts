import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import MarkdownIt from 'markdown-it';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, YAMLError } from 'yaml';
import {
  DEFAULT_PASS_MARK,
  DEFAULT_TIME_LIMIT_MINUTES,
  Lang,
  LANGS,
  LoadedContent,
  MAX_CHOICES,
  MIN_CHOICES,
  MIN_QUESTIONS,
  ModuleManifest,
  PROVISION_REF,
  QuestionBank,
  TrainingModule,
  TrainingQuestion,
} from './content.types';
import { compareModuleIds } from './curriculum';

/*
 * Loads and validates content/modules/<id>/. Pure functions, no Nest: the
 * service and the `content:check` script share them. Every problem is
 * collected before anything is thrown, so one run lists them all.
 */

/** Invalid content; `problems` holds one `<file>: <field>: <problem>` line each. */
export class ContentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid training content (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p}`).join('\n'),
    );
    this.name = 'ContentError';
  }
}

/** The files of a module folder, in the sorted order the content hash uses. */
export const MODULE_FILES = ['lesson.en.md', 'lesson.ja.md', 'module.yaml', 'questions.yaml'] as const;
type ModuleFile = (typeof MODULE_FILES)[number];

/** Field path used for problems with a whole file (missing, empty, unreadable). */
const FILE = '(file)';

// ---------------------------------------------------------------------------
// Provisions
// ---------------------------------------------------------------------------

/** The articles of the seed text (1–16) and, where it numbers them, their paragraph counts. */
export const ARTICLE_COUNT = 16;
export const PARAGRAPHS: Readonly<Record<number, number>> = { 3: 4, 9: 2, 10: 2, 11: 3 };

/** The article number of "N" or "N-M". */
export function articleOf(ref: string): number {
  return Number(ref.split('-')[0]);
}

/** Why a provision reference does not exist, or null when it does. */
export function provisionProblem(ref: unknown): string | null {
  if (typeof ref !== 'string' || !PROVISION_REF.test(ref))
    return `${JSON.stringify(ref)} is not a provision reference; write "N" (article) or "N-M" (paragraph M of article N)`;
  const [article, paragraph] = ref.split('-').map(Number);
  if (article > ARTICLE_COUNT) return `"${ref}": article ${article} does not exist (articles 1–${ARTICLE_COUNT})`;
  if (paragraph !== undefined) {
    const count = PARAGRAPHS[article];
    if (!count) return `"${ref}": article ${article} has no numbered paragraphs; write "${article}"`;
    if (paragraph > count) return `"${ref}": article ${article} has paragraphs 1–${count} only`;
  }
  return null;
}

/** Whether a question on `ref` belongs to a module teaching `moduleArticles`. */
export function provisionCovered(ref: string, moduleArticles: readonly string[]): boolean {
  const article = String(articleOf(ref));
  return moduleArticles.some((a) => a === ref || a === article || (!ref.includes('-') && articleOf(a) === articleOf(ref)));
}

// ---------------------------------------------------------------------------
// Normalization, hashing, Markdown
// ---------------------------------------------------------------------------

/** LF line endings, trailing white space trimmed on every line, exactly one final newline (none if empty). */
export function normalizeText(text: string): string {
  const lines = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.length ? lines.join('\n') + '\n' : '';
}

/**
 * SHA-256 (hex) over a module's files: for each file in sorted name order,
 * its name, a NUL byte, then its normalized content (UTF-8).
 */
export function contentHash(files: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) {
    hash.update(name, 'utf8');
    hash.update('\0', 'utf8');
    hash.update(normalizeText(files[name]), 'utf8');
  }
  return hash.digest('hex');
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const ALLOWED_SCHEME = /^(https?|mailto):/i;

function createMarkdown(): MarkdownIt {
  // Raw HTML is escaped, never rendered; bare URLs stay text.
  const md = new MarkdownIt('default', { html: false, linkify: false, typographer: false });
  // On top of markdown-it's own check (no javascript:, vbscript:, file:, data:),
  // links may only be http(s), mailto or relative.
  const baseValidate = md.validateLink.bind(md);
  md.validateLink = (url: string) => {
    const u = url.trim();
    return baseValidate(u) && (ALLOWED_SCHEME.test(u) || !SCHEME.test(u));
  };
  const renderToken: NonNullable<typeof md.renderer.rules.link_open> = (tokens, idx, options, _env, self) =>
    self.renderToken(tokens, idx, options);
  const linkOpen = md.renderer.rules.link_open ?? renderToken;
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    if (/^https?:/i.test(tokens[idx].attrGet('href') ?? '')) tokens[idx].attrSet('rel', 'noopener noreferrer');
    return linkOpen(tokens, idx, options, env, self);
  };
  return md;
}

const markdown = createMarkdown();

/** Renders a lesson to HTML: CommonMark (+ tables), raw HTML escaped, safe links only. */
export function renderMarkdown(source: string): string {
  return markdown.render(source);
}

// ---------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------

class Problems {
  readonly list: string[] = [];
  add(file: string, field: string, problem: string): void {
    this.list.push(`${file}: ${field}: ${problem}`);
  }
  get count(): number {
    return this.list.length;
  }
}

/**
 * Reads and validates every `<dir>/modules/<id>/` folder. Returns the modules
 * in curriculum order, deeply frozen, or throws a ContentError listing every
 * problem found.
 */
export function loadContent(dir: string): LoadedContent {
  const problems = new Problems();
  const modulesDir = join(dir, 'modules');
  if (!isDirectory(modulesDir)) throw new ContentError([`modules: ${FILE}: no such directory (${modulesDir})`]);

  const folders = readdirSync(modulesDir)
    .filter((name) => !name.startsWith('.') && isDirectory(join(modulesDir, name)))
    .sort();
  if (!folders.length) problems.add('modules', FILE, 'no module folders');

  const modules: TrainingModule[] = [];
  const seen = new Map<string, string>();
  for (const folder of folders) {
    const module = loadModule(join(modulesDir, folder), folder, problems);
    const id = module?.id ?? readDeclaredId(join(modulesDir, folder));
    if (id !== undefined) {
      const other = seen.get(id);
      if (other !== undefined)
        problems.add(`modules/${folder}/module.yaml`, 'id', `duplicate module id "${id}" (also in modules/${other}/module.yaml)`);
      else seen.set(id, folder);
    }
    if (module) modules.push(module);
  }

  if (problems.count) throw new ContentError(problems.list);
  modules.sort((a, b) => compareModuleIds(a.id, b.id));
  return deepFreeze({ modules });
}

/** The id a module.yaml declares, if it parses; used for the duplicate check when the module has other problems. */
function readDeclaredId(folder: string): string | undefined {
  try {
    const id = (parseDocument(readFileSync(join(folder, 'module.yaml'), 'utf8')).toJS() as { id?: unknown })?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

function loadModule(path: string, folder: string, problems: Problems): TrainingModule | undefined {
  const rel = `modules/${folder}`;
  const before = problems.count;

  for (const name of readdirSync(path).sort()) {
    if (name.startsWith('.') || (MODULE_FILES as readonly string[]).includes(name)) continue;
    problems.add(`${rel}/${name}`, FILE, `unexpected file; a module folder holds only ${MODULE_FILES.join(', ')}`);
  }

  // Read every file, collecting missing/unreadable ones.
  const texts: Partial<Record<ModuleFile, string>> = {};
  for (const name of MODULE_FILES) {
    const file = join(path, name);
    if (!existsSync(file)) {
      const lang = lessonLang(name);
      problems.add(`${rel}/${name}`, FILE, lang ? `missing (the ${lang} lesson is required)` : 'missing');
      continue;
    }
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file)).replace(/^\uFEFF/, '');
      texts[name] = text;
    } catch (err) {
      problems.add(`${rel}/${name}`, FILE, err instanceof TypeError ? 'not valid UTF-8' : `unreadable: ${(err as Error).message}`);
    }
  }

  for (const lang of LANGS) {
    const name = `lesson.${lang}.md` as const;
    if (texts[name] !== undefined && !texts[name].trim())
      problems.add(`${rel}/${name}`, FILE, `empty (missing ${lang} translation of the lesson)`);
  }

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

  const lessonMarkdown = {
    ja: normalizeText(texts['lesson.ja.md']!),
    en: normalizeText(texts['lesson.en.md']!),
  };
  return {
    id: m.id,
    revision: m.revision,
    minimumRevision: m.minimumRevision,
    title: { ja: m.title.ja, en: m.title.en },
    summary: { ja: m.summary.ja, en: m.summary.en },
    articles: [...m.articles],
    appliesWhen: m.appliesWhen === 'always' ? 'always' : [...m.appliesWhen],
    drawSize: m.drawSize,
    passMark: m.passMark ?? DEFAULT_PASS_MARK,
    estimatedMinutes: m.estimatedMinutes,
    timeLimitMinutes: m.timeLimitMinutes ?? DEFAULT_TIME_LIMIT_MINUTES,
    questions: bank.value!.questions.map((q): TrainingQuestion => ({
      id: q.id,
      article: q.article,
      text: { ja: q.text.ja, en: q.text.en },
      choices: q.choices.map((c) => ({ id: c.id, text: { ja: c.text.ja, en: c.text.en }, correct: c.correct })),
      explanation: { ja: q.explanation.ja, en: q.explanation.en },
      facts: [...(q.facts ?? [])],
      multiple: q.choices.filter((c) => c.correct).length > 1,
    })),
    facts: [...(m.facts ?? [])],
    lessonMarkdown,
    lessonHtml: { ja: renderMarkdown(lessonMarkdown.ja), en: renderMarkdown(lessonMarkdown.en) },
    contentHash: contentHash(texts as Record<ModuleFile, string>),
  };
}

function lessonLang(name: string): Lang | undefined {
  return LANGS.find((lang) => name === `lesson.${lang}.md`);
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

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

// ---------------------------------------------------------------------------
// Coverage
// ---------------------------------------------------------------------------

export interface ArticleCoverage {
  article: number;
  /** Modules listing the article or one of its paragraphs in `articles`. */
  taughtBy: string[];
  /** Modules with at least one question on the article or one of its paragraphs. */
  askedBy: string[];
  /** Questions on the article or its paragraphs, across all modules. */
  questions: number;
}

/** Which of articles 1–16 are taught and asked ("3-2" counts as article 3). */
export function coverage(modules: readonly TrainingModule[]): ArticleCoverage[] {
  return Array.from({ length: ARTICLE_COUNT }, (_, i) => {
    const article = i + 1;
    const taughtBy = modules.filter((m) => m.articles.some((a) => articleOf(a) === article)).map((m) => m.id);
    const asked = modules.map((m) => ({
      id: m.id,
      n: m.questions.filter((q) => articleOf(q.article) === article).length,
    }));
    return {
      article,
      taughtBy,
      askedBy: asked.filter((a) => a.n > 0).map((a) => a.id),
      questions: asked.reduce((sum, a) => sum + a.n, 0),
    };
  });
}
