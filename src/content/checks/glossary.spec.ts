import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { factGlossaryFindings, glossaryFindings, parseGlossary } from './glossary';
import { question, trainingModule } from './test-helpers';

const realGlossary = () => parseGlossary(readFileSync(join(__dirname, '..', '..', '..', 'content', 'glossary.yaml'), 'utf8'));

/** Findings of the repository's glossary on a module whose lesson and one question hold the given texts. */
function check(lessonJa: string, stemJa = '質問です。', lessonEn = 'Lesson.', choiceEn = 'Choice.') {
  const { glossary } = realGlossary();
  const q = question('q01', stemJa, [{ ja: 'a', en: choiceEn, correct: true }, { ja: 'b' }, { ja: 'c' }, { ja: 'd' }], {
    text: { ja: stemJa, en: 'Question.' },
  });
  const m = trainingModule('basics', [q], { lessonMarkdown: { ja: `# 基本\n\n${lessonJa}\n`, en: `# Basics\n\n${lessonEn}\n` } });
  return glossaryFindings([m], glossary).map((f) => `${f.where} ${f.message.split(':')[0]}`);
}

describe('glossary', () => {
  it('the repository glossary.yaml is valid and holds the lead’s decisions', () => {
    const { glossary, findings } = realGlossary();
    expect(findings).toEqual([]);
    expect(glossary.terms.map((t) => t.term.ja)).toEqual(expect.arrayContaining(['甲', '乙', '業務責任者', '町の担当課']));
    expect(glossary.rules.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        'ko-with-machi',
        'otsu-with-contractor',
        'sekininsha-alone',
        'mochidashi',
        'tachiiri-kensa',
        'server',
        'matome-desu-masu',
      ]),
    );
  });

  it('flags a sentence that mixes 甲 and 町, or 乙 and 受託者/当社/自社, but not the fixed glosses', () => {
    expect(check('甲の承認を得てから町に届けます。')).toEqual(['line 3 ko-with-machi']);
    expect(check('乙は、自社の従事者に教育を行います。')).toEqual(['line 3 otsu-with-contractor']);
    expect(check('甲（町）の承認を得ます。乙（受託者）は従事者を教育します。')).toEqual([]);
    // Split on 。: each sentence keeps to one set of terms.
    expect(check('甲の承認が要ります。町の担当課に届けます。')).toEqual([]);
  });

  it('flags reporting-chain variants, but not 業務責任者 or a story’s 上司', () => {
    expect(check('迷ったら責任者に相談してください。')).toEqual(['line 3 sekininsha-alone']);
    expect(check('迷ったら業務責任者に相談してください。')).toEqual([]);
    expect(check('上司に報告します。')).toEqual(['line 3 joshi-as-reporting-line']);
    expect(check('', '上司から「後で作っておいて」と頼まれました。')).toEqual([]);
    expect(check('', 'あなたは乙の情報セキュリティ担当者です。')).toEqual(['q01 security-tantousha']);
    expect(check('', '質問です。', 'Lesson.', 'Report it to your responsible manager at once.')).toEqual([
      'q01.choices.a en-reporting-line',
    ]);
    expect(check('', '質問です。', 'Your manager says it is fine.')).toEqual([]);
  });

  it('flags banned spellings and citations', () => {
    expect(check('持出しの承認を得ます。')).toEqual(['line 3 mochidashi']);
    expect(check('立入検査に協力します。')).toEqual(['line 3 tachiiri-kensa']);
    expect(check('社内サーバに保存します。')).toEqual(['line 3 server']);
    expect(check('USB メモリは暗号化します。')).toEqual(['line 3 usb-memory']);
    expect(check('特記事項第3第2項により管理します。')).toEqual(['line 3 tokki-jikou-dai']);
    expect(check('第3第2項により管理します。個人情報保護法第176条の対象です。')).toEqual([]);
    expect(check('', '質問です。', 'Under Art. 3, and Article 3-2.')).toEqual(['line 3 en-citation']);
    expect(check('', '質問です。', 'Under Article 3(2) and My Number Act Article 29-4.')).toEqual([]);
    expect(check('', '質問です。', '乙 must train its workers; the contractor (乙) does.')).toEqual(['line 3 en-ko-otsu']);
  });

  it('flags a law article without its law, and paragraphs of one article listed short (one citation form)', () => {
    expect(check('提供の制限（第19条）にも違反します。')).toEqual(['line 3 law-article-with-name']);
    expect(check('番号法第9条・第19条、同法第48条、個人情報保護法第66条第2項、同法施行規則第43条。')).toEqual([]);
    expect(check('直ちに報告します（第11第2項・第3項）。')).toEqual(['line 3 provision-paragraph-in-full']);
    expect(check('直ちに報告します（第11第2項・第11第3項）。')).toEqual([]);
    expect(check('', '質問です。', 'The limits on provision (Article 19) apply.')).toEqual(['line 3 en-law-article-with-name']);
    expect(check('', '質問です。', 'Article 10 of the My Number Act allows it.')).toEqual(['line 3 en-law-article-with-name']);
    expect(check('', '質問です。', 'Report at once (Article 11(2) and (3)).')).toEqual(['line 3 en-citation-paragraphs-in-full']);
    expect(
      check(
        '',
        '質問です。',
        'APPI Articles 180 and 183, My Number Act Article 48 or 49, APPI Enforcement Rules Article 43; Article 4 of the "Special provisions"; Articles 11(2) and 11(3).',
      ),
    ).toEqual([]);
  });

  it('holds the statements of facts.yaml to the same rules', () => {
    const { glossary } = realGlossary();
    const facts = [
      { id: 'esu', statement: { ja: 'ESU が特記事項第9第2項の「サポート」に当たるかは町が判断する。', en: 'Under Article 9(2).' } },
      { id: 'appi-180', statement: { ja: '国外で行っても処罰される（同法第183条）。', en: 'Also outside Japan (Article 183).' } },
    ];
    expect(factGlossaryFindings(facts, glossary).map((f) => `${f.file} ${f.where} ${f.message.split(':')[0]}`)).toEqual([
      'facts.yaml esu.statement.ja tokki-jikou-dai',
      'facts.yaml appi-180.statement.en en-law-article-with-name',
    ]);
  });

  it('flags plain style in the まとめ section only', () => {
    const lesson =
      '普通の文である。\n\n## まとめ\n\n- 報告します（第11第3項）。\n- 直ちに報告する（第11第3項）\n- 迷ったら相談してください。\n\n## 次に\n\n学ぶ。';
    expect(check(lesson)).toEqual(['line 8 matome-desu-masu']);
  });

  it('reports rules that lack fields for their kind or whose pattern does not compile', () => {
    const { findings, glossary } = parseGlossary(
      stringify({
        terms: [],
        rules: [
          { id: 'a', lang: 'ja', kind: 'mixed', contract: '甲', use: 'x' },
          { id: 'b', lang: 'ja', kind: 'banned', banned: '(', use: 'x' },
          { id: 'c', lang: 'fr', kind: 'banned', banned: 'x', use: 'x' },
          { id: 'd', lang: 'ja', kind: 'banned', banned: 'サーバ(?!ー)', use: 'サーバー' },
        ],
      }),
    );
    expect(findings.map((f) => [f.where, f.severity])).toEqual([
      ['rules[2].lang', 'always'],
      ['rules[0]', 'always'],
      ['rules[1].banned', 'always'],
    ]);
    expect(glossary.rules.map((r) => r.id)).toEqual(['d']);
  });
});
