import { t, type Lang } from './i18n';

/**
 * The provisions cited one way everywhere, as the seed text numbers them
 * (情報セキュリティに関する特記事項: 第1 … 第16, items 1, 2 … under them):
 * Japanese `第4`, `第3第1項`, several joined by `、`; English `Article 4`,
 * `Article 3(1)`, several `Articles 1, 2, 4`. A reference is the content's
 * form (`"4"`, `"3-1"`: content/modules/<id>/module.yaml `articles`).
 */
export function formatArticle(ref: string, lang: Lang): string {
  const [article, item] = ref.split('-');
  return item ? t(lang, 'citation.refItem', { article, item }) : t(lang, 'citation.ref', { article });
}

/** Several references as one citation: `第1、第2、第4` / `Articles 1, 2, 4`; one: `第4` / `Article 4`; none: ''. */
export function formatArticles(refs: readonly string[], lang: Lang): string {
  if (!refs.length) return '';
  const list = refs.map((r) => formatArticle(r, lang));
  return list.length === 1
    ? t(lang, 'citation.one', { ref: list[0] })
    : t(lang, 'citation.several', { refs: list.join(t(lang, 'citation.separator')) });
}
