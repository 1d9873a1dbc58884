import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { contentCheck } from './content-check.cli';

// content:check end to end on a small content tree: the loader's validation,
// then the quality checks, in strict and report-only mode.

const repoContent = join(__dirname, '..', '..', 'content');
const loc = (ja: string, en: string) => ({ ja, en });
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'content-check-'));
  copyFileSync(join(repoContent, 'facts.yaml'), join(root, 'facts.yaml'));
  copyFileSync(join(repoContent, 'glossary.yaml'), join(root, 'glossary.yaml'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A module whose 12 questions have `choices` choices, the key always the longest (so the cue checker sees through them). */
function writeModule(id: string, choices: number, manifest: Record<string, unknown> = {}) {
  const dir = join(root, 'modules', id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'module.yaml'),
    stringify({
      id,
      revision: 1,
      minimumRevision: 1,
      title: loc('基本', 'Basics'),
      summary: loc('要約です。', 'A summary.'),
      articles: ['1'],
      appliesWhen: 'always',
      drawSize: 6,
      estimatedMinutes: 8,
      ...manifest,
    }),
  );
  writeFileSync(
    join(dir, 'questions.yaml'),
    stringify({
      questions: Array.from({ length: 12 }, (_, i) => ({
        id: `q${String(i + 1).padStart(2, '0')}`,
        article: '1',
        text: loc(`${id} の場面 ${i + 1} ではどうしますか。`, `In ${id} scene ${i + 1}, what do you do?`),
        choices: Array.from({ length: choices }, (_, j) => ({
          id: 'abcde'[j],
          text:
            j === 0
              ? loc('特記事項を確認し、業務責任者に相談してから進めます。', 'Read the provisions and consult first.')
              : loc(`案${j}`, `Option ${j}`),
          correct: j === 0,
        })),
        explanation: loc('第1により、特記事項を守ります。', 'Under Article 1, observe the provisions.'),
      })),
    }),
  );
  writeFileSync(join(dir, 'lesson.ja.md'), '# 基本\n\n第1により、特記事項は契約と一体です。\n');
  writeFileSync(join(dir, 'lesson.en.md'), '# Basics\n\nUnder Article 1, the provisions are one with the contract.\n');
}

const run = (reportOnly: boolean, extra: { today?: string; moduleIds?: string[] } = {}) =>
  contentCheck({ dir: root, reportOnly, today: extra.today ?? '2026-11-30', moduleIds: extra.moduleIds });

describe('content:check', () => {
  it('keeps the summary tables and adds the cue table; fails on findings, passes them with --report', () => {
    writeModule('basics', 4);
    const strict = run(false);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('Training content in');
    expect(strict.stdout).toMatch(/article\s+taught by/);
    expect(strict.stdout).toMatch(/module\s+questions\s+ja\s+en/);
    expect(strict.stdout).toMatch(/basics\s+12\s+100\.0 %\s+100\.0 %/);
    expect(strict.stdout).toContain(
      'modules/basics/questions.yaml cue score: ja: cues alone answer 100.0 % (12/12) right; at most 45 % per module',
    );
    expect(strict.stdout).toContain('content:check FAILED');

    const report = run(true);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/Report only \(--report\): \d+ findings would fail content:check without --report\./);
  });

  it('fails even with --report on a fact past its reviewBy date', () => {
    writeModule('basics', 4);
    expect(run(true, { today: '2027-02-16' })).toMatchObject({
      code: 1,
      stdout: expect.stringContaining('reviewBy 2027-02-15 has passed'),
    });
  });

  it('fails even with --report on an unknown fact id', () => {
    writeModule('basics', 4, { facts: ['no-such-fact'] });
    const result = run(true);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('modules/basics/module.yaml facts: unknown fact "no-such-fact" (not in facts.yaml) [always fails]');
  });

  it('fails even with --report when facts.yaml is missing', () => {
    writeModule('basics', 4);
    rmSync(join(root, 'facts.yaml'));
    expect(run(true)).toMatchObject({ code: 1, stdout: expect.stringContaining('facts.yaml (file): missing') });
  });

  it('--module limits the findings to those modules', () => {
    writeModule('basics', 4);
    writeModule('my-number', 4);
    const result = run(true, { moduleIds: ['my-number'] });
    expect(result.stdout).toContain('modules/my-number/questions.yaml cue score');
    expect(result.stdout).not.toContain('modules/basics/questions.yaml cue score');
  });

  it('reports invalid content as the service would, and nothing else', () => {
    writeModule('basics', 3);
    const result = run(true);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('questions[0].choices: has 3 choices; 4–5 are required');
    expect(result.stdout).toBe('');
  });

  it('the repository content passes every check (what npm test runs)', () => {
    const result = contentCheck({ dir: repoContent, reportOnly: false, today: '2026-11-30' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
