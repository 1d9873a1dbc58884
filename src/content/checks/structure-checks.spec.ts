import { articleFindings, citedProvisions, japaneseCitation } from './structure-checks';
import { question, trainingModule } from './test-helpers';

const four = [{ ja: 'a', correct: true }, { ja: 'b' }, { ja: 'c' }, { ja: 'd' }];

describe('structural rules', () => {
  it('citedProvisions reads 第N and 第N第M項, not law articles, items or ordinals', () => {
    expect(citedProvisions('第3第2項により暗号化し、第4の教育を受け、第１１第３項で報告します。')).toEqual(['3-2', '4', '11-3']);
    expect(citedProvisions('個人情報保護法第176条、会社法第2条第1項第3号、第1期分、第2版、第三者')).toEqual([]);
    expect(japaneseCitation('3-2')).toBe('第3第2項');
    expect(japaneseCitation('12')).toBe('第12');
  });

  describe('article tags', () => {
    const lesson = { ja: '# 管理\n\n第3第2項により、資料を厳重に管理します。\n', en: '# Handling\n\nArticle 3(2).\n' };
    const explained = (ja: string) => ({ ja, en: 'Under Article 3(2).' });

    it('accepts a tag the module lists, the lesson cites and the explanation cites', () => {
      const m = trainingModule(
        'data-handling',
        [question('q01', 'x', four, { article: '3-2', explanation: explained('第3第2項により、施錠します。') })],
        {
          articles: ['3-2'],
          lessonMarkdown: lesson,
        },
      );
      expect(articleFindings([m])).toEqual([]);
    });

    it('fails a tag outside the module, a tag the lesson does not cite, an explanation that does not cite its tag', () => {
      const m = trainingModule(
        'my-number',
        [
          question('q01', 'x', four, { article: '7', explanation: explained('第7により返還します。') }),
          question('q02', 'x', four, { article: '3-4', explanation: explained('第3第4項により届け出ます。') }),
          question('q03', 'x', four, { article: '3-2', explanation: explained('番号法第9条に反します。') }),
        ],
        { articles: ['3'], lessonMarkdown: lesson },
      );
      const findings = articleFindings([m]);
      expect(findings.filter((f) => f.severity === 'fail').map((f) => [f.where, f.message])).toEqual([
        ['q01', expect.stringContaining('"7" is not among the module\'s articles (3)')],
        ['q02', expect.stringContaining('the lesson does not cite 第3第4項')],
        ['q03.explanation', expect.stringContaining('does not cite 第3第2項')],
      ]);
    });

    it('fails a listed provision the lesson never cites', () => {
      const m = trainingModule('data-handling', [question('q01', 'x', four, { article: '3-2', explanation: explained('第3第2項') })], {
        articles: ['3-2', '9-2'],
        lessonMarkdown: lesson,
      });
      expect(articleFindings([m])).toEqual([
        expect.objectContaining({ file: 'modules/data-handling/lesson.ja.md', where: 'articles "9-2"', severity: 'fail' }),
      ]);
    });

    it('advises when the explanation rests on a provision the module does not teach (the issue-14 mis-tags)', () => {
      const m = trainingModule(
        'confidentiality',
        [
          question('q12', 'x', four, {
            article: '3-2',
            explanation: explained('第3第2項の違反ではなく、会社は町に直ちに報告します（第11第3項）。'),
          }),
        ],
        { articles: ['3-2'], lessonMarkdown: lesson },
      );
      expect(articleFindings([m])).toEqual([
        expect.objectContaining({ where: 'q12.explanation', severity: 'advice', message: expect.stringContaining('第11第3項') }),
      ]);
    });
  });
});
