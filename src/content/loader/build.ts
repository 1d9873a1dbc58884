import MarkdownIt from 'markdown-it';
import {
  DEFAULT_PASS_MARK,
  DEFAULT_TIME_LIMIT_MINUTES,
  ModuleManifest,
  QuestionBank,
  TrainingModule,
  TrainingQuestion,
} from '../content.types';
import { contentHash, normalizeText } from './hash';
import type { ModuleFile } from './problems';

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

/**
 * The module the service serves, from a validated manifest and bank and the
 * folder's texts: defaults applied, lessons normalised and rendered, whether
 * each question takes several answers, and the content hash.
 */
export function buildModule(m: ModuleManifest, bank: QuestionBank, texts: Readonly<Record<ModuleFile, string>>): TrainingModule {
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
    questions: bank.questions.map((q): TrainingQuestion => ({
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
    contentHash: contentHash(texts),
  };
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
