/*
 * `npm run content:check [dir]`: validates the training content exactly as the
 * service does at start and prints a summary. Exit 0 when valid; 1 with every
 * problem listed otherwise. No Nest here, so it runs fast under ts-node.
 *
 * The directory is argv[2], else CONTENT_DIR, else the repository's content/.
 */
import { resolve } from 'node:path';
import { ContentError, coverage, loadContent } from './content-loader';
import type { TrainingModule } from './content.types';

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

function main(): number {
  const dir = resolve(process.argv[2] ?? process.env.CONTENT_DIR ?? resolve(__dirname, '..', '..', 'content'));
  try {
    const { modules } = loadContent(dir);
    process.stdout.write(`Training content in ${dir} is valid.\n${summary(modules)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ContentError) {
      process.stderr.write(`${dir}\n${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

if (require.main === module) process.exitCode = main();
