import { articleOf, provisionCovered } from '../loader/provisions';
import type { TrainingModule } from '../content.types';
import type { Finding } from './findings';

/*
 * Structural rules of issue 14 that the service does not enforce at start:
 * article tags that the module's lesson teaches. (At least four choices per
 * question is enforced at start, by the loader.)
 */

type CheckedModule = Pick<TrainingModule, 'id' | 'articles' | 'questions' | 'lessonMarkdown'>;

/**
 * The seed provisions a Japanese text cites, as "N" or "N-M": 第N and 第N第M項,
 * the way the seed and the lessons write them. Law articles (第N条), item
 * numbers (第N号), editions and ordinals (第N版, 第N位, 第1期, …) are not
 * provisions and are skipped. English citations are not read: "Article 23"
 * may be the APPI's as well as the provisions', the Japanese text is the
 * reference.
 */
export function citedProvisions(text: string): string[] {
  const out: string[] = [];
  const re = /第([0-9]+)(?:第([0-9]+)項)?(?![0-9条号章節回期項版位次款目者])/g;
  for (const m of text.normalize('NFKC').matchAll(re)) out.push(m[2] ? `${m[1]}-${m[2]}` : m[1]);
  return [...new Set(out)];
}

/** Whether the citations name `ref`: a paragraph "N-M" exactly; a whole article "N" as 第N or any of its paragraphs. */
export function cites(cited: readonly string[], ref: string): boolean {
  return ref.includes('-') ? cited.includes(ref) : cited.some((c) => articleOf(c) === articleOf(ref));
}

/**
 * Article tags against what the module teaches:
 * - fail: the tag is not one of the module's `articles` (a paragraph "N-M" is
 *   also taught when the module lists the whole article "N");
 * - fail: the module's Japanese lesson does not cite the tagged provision
 *   (第N, or 第N第M項 for a paragraph) — the lesson must teach what is asked;
 * - fail: a provision in `articles` the Japanese lesson never cites;
 * - fail: the Japanese explanation does not cite the tagged provision;
 * - advice: the Japanese explanation rests on a provision the module does not
 *   teach (the question may belong to another module, or test that provision:
 *   the mis-tags issue 14 lists all cite 第11第3項 or 第9第2項 this way).
 */
export function articleFindings(modules: readonly CheckedModule[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of modules) {
    const lessonCites = citedProvisions(m.lessonMarkdown.ja);
    const bank = `modules/${m.id}/questions.yaml`;
    const lesson = `modules/${m.id}/lesson.ja.md`;
    for (const a of m.articles)
      if (!cites(lessonCites, a))
        findings.push({
          check: 'articles',
          moduleId: m.id,
          file: lesson,
          where: `articles "${a}"`,
          message: `module.yaml lists "${a}" but the lesson never cites ${japaneseCitation(a)}`,
          severity: 'fail',
        });
    for (const q of m.questions) {
      const tag = q.article;
      const taught = m.articles.some((a) => a === tag || (!a.includes('-') && a === String(articleOf(tag)) && tag.includes('-')));
      if (!taught)
        findings.push({
          check: 'articles',
          moduleId: m.id,
          file: bank,
          where: q.id,
          message: `article "${tag}" is not among the module's articles (${m.articles.join(', ')})`,
          severity: 'fail',
        });
      else if (!cites(lessonCites, tag))
        findings.push({
          check: 'articles',
          moduleId: m.id,
          file: bank,
          where: q.id,
          message: `article "${tag}": the lesson does not cite ${japaneseCitation(tag)}, so it does not teach what this question asks`,
          severity: 'fail',
        });
      const explained = citedProvisions(q.explanation.ja);
      if (!cites(explained, tag))
        findings.push({
          check: 'articles',
          moduleId: m.id,
          file: bank,
          where: `${q.id}.explanation`,
          message: `tagged "${tag}" but the Japanese explanation does not cite ${japaneseCitation(tag)}${
            explained.length ? ` (it cites ${explained.map(japaneseCitation).join(', ')})` : ''
          }`,
          severity: 'fail',
        });
      const outside = explained.filter((c) => !provisionCovered(c, m.articles));
      if (outside.length)
        findings.push({
          check: 'articles',
          moduleId: m.id,
          file: bank,
          where: `${q.id}.explanation`,
          message: `tagged "${tag}"; the explanation also relies on ${outside.map(japaneseCitation).join(', ')}, which this module does not teach — check the tag`,
          severity: 'advice',
        });
    }
  }
  return findings;
}

/** "3-2" → 第3第2項, "4" → 第4. */
export function japaneseCitation(ref: string): string {
  const [a, p] = ref.split('-');
  return p ? `第${a}第${p}項` : `第${a}`;
}
