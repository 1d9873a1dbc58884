/*
 * `npm run content:check -- [--report] [--module <id>]… [--today YYYY-MM-DD] [--brief] [dir]`
 *
 * 1. Validates the training content exactly as the service does at start and
 *    prints the summary tables. Invalid content: every problem listed, exit 1.
 * 2. Runs the quality checks of issue 14 (src/content/checks/): cue checker,
 *    near-duplicates, at least four choices, article tags, dated facts,
 *    glossary. Any finding fails the run (exit 1), except with --report, which
 *    prints the findings and fails only on problems with facts.yaml,
 *    glossary.yaml, unknown fact ids and facts past their reviewBy date.
 *
 * --module limits the findings printed (and counted) to those modules; the
 * cue table always shows every module. --today replaces today's date in Japan
 * (to preview which facts go stale). --brief prints the tables without the
 * list of findings.
 *
 * The directory is the positional argument, else CONTENT_DIR, else the
 * repository's content/. No Nest here, so it runs fast under ts-node.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { todayJst } from '../common/dates';
import { ContentError, coverage, loadContent } from './content-loader';
import type { TrainingModule } from './content.types';
import { CUE_MAX_MODULE, CUE_MAX_OVERALL, ratio, type CueTally } from './checks/cue-checker';
import type { CheckName, Finding } from './checks/findings';
import { failing, runQualityChecks, type QualityReport } from './checks/quality';

/** Visible characters of a rendered lesson (tags stripped, white space not counted). */
function lessonChars(html: string): number {
  return [...htmlText(html).replace(/\s+/g, '')].length;
}

function lessonWords(html: string): number {
  return htmlText(html).split(/\s+/).filter(Boolean).length;
}

function htmlText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? '');
}

function table(head: string[], rows: (string | number)[][], right: Set<number>): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const width = head.map((_, i) => Math.max(...cells.map((r) => [...r[i]].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (right.has(i) ? c.padStart(width[i]) : c.padEnd(width[i])))
      .join('  ')
      .trimEnd();
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

export function summary(modules: readonly TrainingModule[]): string {
  const moduleRows = modules.map((m) => [
    m.id,
    m.revision,
    m.questions.length,
    m.questions.filter((q) => q.multiple).length,
    m.drawSize,
    m.articles.join(','),
    m.appliesWhen === 'always' ? 'always' : m.appliesWhen.join('|'),
    lessonChars(m.lessonHtml.ja),
    lessonWords(m.lessonHtml.en),
  ]);
  const articleRows = coverage(modules).map((c) => [
    c.article,
    c.taughtBy.length ? c.taughtBy.join(', ') : '—',
    c.questions ? `${c.questions} (${c.askedBy.join(', ')})` : '—',
  ]);
  const gaps = coverage(modules).filter((c) => !c.taughtBy.length || !c.questions);
  return [
    `${modules.length} module${modules.length === 1 ? '' : 's'}, ${modules.reduce((n, m) => n + m.questions.length, 0)} questions`,
    '',
    table(
      ['module', 'rev', 'questions', 'multi', 'draw', 'articles', 'applies when', 'ja chars', 'en words'],
      moduleRows,
      new Set([1, 2, 3, 4, 7, 8]),
    ),
    '',
    table(['article', 'taught by', 'asked (questions)'], articleRows, new Set([0])),
    '',
    gaps.length ? `Not taught or not asked: ${gaps.map((c) => c.article).join(', ')}` : 'Every article 1–16 is taught and asked.',
  ].join('\n');
}

const CHECKS: readonly { name: CheckName; title: string }[] = [
  { name: 'cues', title: 'Cue checker' },
  { name: 'duplicates', title: 'Near-duplicates across modules' },
  { name: 'articles', title: 'Article tags' },
  { name: 'facts', title: 'Facts' },
  { name: 'glossary', title: 'Glossary' },
];

const pct = (t: CueTally) => `${(100 * ratio(t)).toFixed(1)} %`;

/**
 * The quality section of the output: the cue table, findings per module and
 * check, then (unless brief) every finding grouped by check and module.
 */
export function qualitySection(
  report: QualityReport,
  findings: readonly Finding[],
  options: { today: string; brief?: boolean; moduleIds: readonly string[] },
): string {
  const out: string[] = [];
  out.push(`Quality checks (issue 14), today ${options.today} (Japan)`, '');
  out.push(
    `Cue checker: share of questions answered right from surface cues alone (fails above ${CUE_MAX_OVERALL * 100} % overall or ${
      CUE_MAX_MODULE * 100
    } % in a module)`,
  );
  const cueRows = report.cues.modules.map((m) => [m.id, m.score.ja.total, pct(m.score.ja), pct(m.score.en)]);
  cueRows.push(['overall', report.cues.overall.ja.total, pct(report.cues.overall.ja), pct(report.cues.overall.en)]);
  out.push(table(['module', 'questions', 'ja', 'en'], cueRows, new Set([1, 2, 3])), '');

  // '' stands for findings about no single module: the shared files and the overall cue score.
  const moduleIds = [...options.moduleIds, ''];
  const counts = moduleIds.map((id) => [
    id || '(shared files, overall)',
    ...CHECKS.map((c) => findings.filter((f) => (f.moduleId ?? '') === id && f.check === c.name && f.severity !== 'advice').length),
    findings.filter((f) => (f.moduleId ?? '') === id && f.severity === 'advice').length,
  ]);
  counts.push([
    'total',
    ...CHECKS.map((c) => findings.filter((f) => f.check === c.name && f.severity !== 'advice').length),
    findings.filter((f) => f.severity === 'advice').length,
  ]);
  out.push('Findings per module (advice: printed, never fails)');
  out.push(
    table(['module', ...CHECKS.map((c) => c.name), 'advice'], counts, new Set(CHECKS.map((_, i) => i + 1).concat(CHECKS.length + 1))),
  );

  const order = (f: Finding) => (f.moduleId === undefined ? -1 : options.moduleIds.indexOf(f.moduleId));
  const line = (f: Finding) => Number(/^line (\d+)/.exec(f.where)?.[1] ?? 0);
  const sorted = [...findings].sort(
    (a, b) => order(a) - order(b) || a.file.localeCompare(b.file) || line(a) - line(b) || a.where.localeCompare(b.where),
  );
  if (!options.brief)
    for (const c of CHECKS) {
      const list = sorted.filter((f) => f.check === c.name);
      if (!list.length) continue;
      out.push('', `${c.title} (${list.length})`);
      for (const f of list) {
        const where = [f.file, f.where].filter(Boolean).join(' ');
        const tag = f.severity === 'advice' ? ' [advice]' : f.severity === 'always' ? ' [always fails]' : '';
        out.push(`  ${where}: ${f.message}${tag}${f.excerpt ? ` — 「${f.excerpt}」` : ''}`);
      }
    }
  return out.join('\n');
}

export interface CheckOptions {
  dir: string;
  reportOnly: boolean;
  moduleIds?: readonly string[];
  today?: string;
  brief?: boolean;
}

/** Runs content:check; returns the exit code and what to print on stdout and stderr. */
export function contentCheck(options: CheckOptions): { code: number; stdout: string; stderr: string } {
  const { dir } = options;
  let modules: readonly TrainingModule[];
  try {
    modules = loadContent(dir).modules;
  } catch (err) {
    if (err instanceof ContentError) return { code: 1, stdout: '', stderr: `${dir}\n${err.message}\n` };
    throw err;
  }
  const today = options.today ?? todayJst();
  const report = runQualityChecks(modules, dir, today);
  const selected = options.moduleIds?.length ? options.moduleIds : modules.map((m) => m.id);
  const shown = report.findings.filter((f) => f.moduleId === undefined || selected.includes(f.moduleId));
  const failures = failing(shown, options.reportOnly);
  const wouldFail = failing(shown, false);
  const verdict = failures.length
    ? `content:check FAILED: ${failures.length} finding${failures.length === 1 ? '' : 's'}${
        options.reportOnly ? ' marked [always fails], which fail even in report-only mode' : ''
      }.`
    : options.reportOnly
      ? `Report only (--report): ${wouldFail.length} finding${wouldFail.length === 1 ? '' : 's'} would fail content:check without --report.`
      : 'All quality checks pass.';
  const stdout = [
    `Training content in ${dir} is valid.`,
    summary(modules),
    '',
    qualitySection(report, shown, { today, brief: options.brief, moduleIds: selected }),
    '',
    verdict,
    '',
  ].join('\n');
  return { code: failures.length ? 1 : 0, stdout, stderr: '' };
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      report: { type: 'boolean', default: false },
      module: { type: 'string', multiple: true },
      today: { type: 'string' },
      brief: { type: 'boolean', default: false },
    },
  });
  if (values.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.today)) {
    process.stderr.write('--today must be a date written YYYY-MM-DD\n');
    return 2;
  }
  const dir = resolve(positionals[0] ?? process.env.CONTENT_DIR ?? resolve(__dirname, '..', '..', 'content'));
  const result = contentCheck({ dir, reportOnly: values.report, moduleIds: values.module, today: values.today, brief: values.brief });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.code;
}

if (require.main === module) process.exitCode = main();
