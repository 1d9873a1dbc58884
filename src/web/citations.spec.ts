import { formatArticle, formatArticles } from './citations';

describe('citations of the provisions, one way everywhere', () => {
  it('cites as the seed text numbers them in Japanese', () => {
    expect(formatArticle('4', 'ja')).toBe('第4');
    expect(formatArticle('3-1', 'ja')).toBe('第3第1項');
    expect(formatArticles(['1', '2', '4'], 'ja')).toBe('第1、第2、第4');
    expect(formatArticles(['11-3'], 'ja')).toBe('第11第3項');
  });
  it('cites "Article 4" in English, with separators between several', () => {
    expect(formatArticles(['4'], 'en')).toBe('Article 4');
    expect(formatArticles(['1', '2', '4'], 'en')).toBe('Articles 1, 2, 4');
    expect(formatArticles(['3-1', '9-2'], 'en')).toBe('Articles 3(1), 9(2)');
    expect(formatArticles([], 'en')).toBe('');
  });
});
