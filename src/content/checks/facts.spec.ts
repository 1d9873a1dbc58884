import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseFacts, staleFacts, timeBoundMatches, unknownFactRefs, untaggedTimeBound, type Fact } from './facts';
import { question, trainingModule } from './test-helpers';

const fact = (over: Partial<Fact> = {}): Fact => ({
  id: 'ipa-10-threats-2026',
  statement: { ja: '10大脅威 2026', en: '10 Major Threats 2026' },
  source: '[I2] https://www.ipa.go.jp/pressrelease/2025/press20260129.html',
  asOf: '2026-01-29',
  reviewBy: '2027-02-15',
  ...over,
});
const yaml = (...facts: Partial<Fact>[]) => stringify({ facts: facts.map((f) => ({ ...fact(), ...f })) });

describe('facts', () => {
  describe('parseFacts', () => {
    it('reads a valid file', () => {
      const { facts, findings } = parseFacts(yaml({}, { id: 'nodejs-20-end-of-life', source: '[E2] https://github.com/nodejs/Release' }));
      expect(findings).toEqual([]);
      expect(facts.map((f) => f.id)).toEqual(['ipa-10-threats-2026', 'nodejs-20-end-of-life']);
    });

    it('reports bad dates, a source without key and URL, duplicates, asOf after reviewBy and unknown keys', () => {
      const { facts, findings } = parseFacts(
        yaml(
          { id: 'a-1', asOf: '2026-02-30' },
          { id: 'a-2', reviewBy: '15/02/2027' },
          { id: 'a-3', source: 'IPA website' },
          { id: 'a-4' },
          { id: 'a-4' },
          { id: 'a-5', asOf: '2027-03-01' },
          { id: 'a-6', note: 'x' } as Partial<Fact>,
        ),
      );
      expect(findings.map((f) => [f.where, f.severity])).toEqual([
        ['facts[1].reviewBy', 'always'],
        ['facts[2].source', 'always'],
        ['facts[6].note', 'always'],
        ['facts[0].asOf', 'always'],
        ['facts[4].id', 'always'],
        ['facts[5].reviewBy', 'always'],
      ]);
      expect(facts.map((f) => f.id)).toEqual(['a-4']);
    });

    it('the repository facts.yaml is valid', () => {
      const { findings, facts } = parseFacts(readFileSync(join(__dirname, '..', '..', '..', 'content', 'facts.yaml'), 'utf8'));
      expect(findings).toEqual([]);
      expect(facts.map((f) => f.id)).toContain('ipa-10-threats-2026');
    });
  });

  describe('reviewBy against an injected today (Japan time)', () => {
    it('a reviewBy in the past fails, even in report-only mode', () => {
      expect(staleFacts([fact({ reviewBy: '2027-02-15' })], '2027-02-16')).toEqual([
        expect.objectContaining({ check: 'facts', file: 'facts.yaml', where: 'ipa-10-threats-2026', severity: 'always' }),
      ]);
    });

    it('the review day itself and earlier days pass', () => {
      expect(staleFacts([fact({ reviewBy: '2027-02-15' })], '2027-02-15')).toEqual([]);
      expect(staleFacts([fact({ reviewBy: '2027-02-15' })], '2026-11-30')).toEqual([]);
    });
  });

  it('reports declared ids that facts.yaml does not define', () => {
    const m = trainingModule(
      'malware-and-patching',
      [question('q13', 'x', [{ ja: 'a', correct: true }], { facts: ['ipa-10-threats-2025'] })],
      {
        facts: ['ipa-10-threats-2026', 'nodejs-20-eol'],
      },
    );
    expect(unknownFactRefs([m], [fact()]).map((f) => [f.file, f.where, f.message])).toEqual([
      ['modules/malware-and-patching/module.yaml', 'facts', 'unknown fact "nodejs-20-eol" (not in facts.yaml)'],
      ['modules/malware-and-patching/questions.yaml', 'q13.facts', 'unknown fact "ipa-10-threats-2025" (not in facts.yaml)'],
    ]);
  });

  describe('time-bound wording', () => {
    it('recognizes years, era years, rankings, end of support, penalties, amounts, deadlines and thresholds', () => {
      const names = (t: string, lang: 'ja' | 'en') => timeBoundMatches(t, lang).map((m) => m.name);
      expect(names('2025年10月14日にサポートが終了した Windows 10', 'ja')).toEqual(['year', 'end of support']);
      expect(names('令和7年3月版', 'ja')).toEqual(['era year']);
      expect(names('「情報セキュリティ10大脅威 ２０２６」', 'ja')).toEqual(['year', 'threat ranking']);
      expect(names('2年以下の拘禁刑又は100万円以下の罰金', 'ja')).toEqual(['penalty', 'amount']);
      expect(names('速報はおおむね3〜5日以内、100人を超える場合', 'ja')).toEqual(['deadline', 'threshold']);
      expect(names('a fine of up to ¥1,000,000 within 30 days', 'en')).toEqual(['penalty', 'amount', 'deadline']);
      expect(names('Node.js 20 reached end of life', 'en')).toEqual(['end of support']);
    });

    it('leaves law numbers, standard versions, the rule of Article 9(2) and "it is fine" alone', () => {
      expect(timeBoundMatches('個人情報の保護に関する法律（平成15年法律第57号）、ISO/IEC 27001:2022', 'ja')).toEqual([]);
      expect(timeBoundMatches('サポートが終了したソフトウェアを使用してはならない', 'ja')).toEqual([]);
      expect(timeBoundMatches('APPI, Act No. 57 of 2003. It is fine to ask.', 'en')).toEqual([]);
      expect(timeBoundMatches('Software whose support has ended must not be used.', 'en')).toEqual([]);
    });

    it('reports untagged lesson lines and questions; a module fact covers both, a question fact covers its question', () => {
      const lessonMarkdown = { ja: '# 脅威\n\n「10大脅威 2026」では…\n', en: '# Threats\n\nThe 2026 edition…\n' };
      const q1 = question('q01', 'Windows 10 のパソコンがあります。', [{ ja: 'a', correct: true }, { ja: 'b' }]);
      const q2 = question('q02', 'Node.js 20 を使っています。', [{ ja: 'a', correct: true }, { ja: 'b' }], {
        facts: ['nodejs-20-end-of-life'],
      });
      const untagged = untaggedTimeBound([trainingModule('malware-and-patching', [q1, q2], { lessonMarkdown })]);
      expect(untagged.map((f) => [f.file, f.where])).toEqual([
        ['modules/malware-and-patching/lesson.ja.md', 'line 3'],
        ['modules/malware-and-patching/questions.yaml', 'q01'],
        ['modules/malware-and-patching/lesson.en.md', 'line 3'],
        ['modules/malware-and-patching/questions.yaml', 'q01'],
      ]);
      expect(untagged[0]).toMatchObject({ severity: 'fail', excerpt: expect.stringContaining('10大脅威 2026') });
      expect(
        untaggedTimeBound([trainingModule('malware-and-patching', [q1, q2], { lessonMarkdown, facts: ['ipa-10-threats-2026'] })]),
      ).toEqual([]);
    });
  });
});
