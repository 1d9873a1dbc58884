import type { Lang } from './i18n';

/** One entry of a lesson's table of contents: a section (h2) and its subsections (h3). */
export interface ContentsEntry {
  id: string;
  text: string;
  children: { id: string; text: string }[];
}

/**
 * Japanese reading speed for the estimate: about 500 characters a minute (the figure
 * commonly used for Japanese prose, 400–600), counting every character but white space.
 */
export const JA_CHARACTERS_PER_MINUTE = 500;
/** English reading speed for the estimate: about 200 words a minute (non-fiction read for learning). */
export const EN_WORDS_PER_MINUTE = 200;

const HEADING = /<h([23])>([\s\S]*?)<\/h\1>/g;
const TAGS = /<[^>]*>/g;
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const textOf = (html: string) => html.replace(TAGS, '').replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]);

/**
 * A lesson's table of contents and reading time, from its HTML (rendered by the
 * content loader from trusted Markdown: markdown-it writes headings as bare
 * `<h2>…</h2>`). Each h2 and h3 gets an id (`s-1`, `s-1-2`, …) for the contents'
 * anchor links; the h1 (the module's title) is not listed. The reading time is
 * the text's length over the reading speed above, rounded up, at least one
 * minute: characters for Japanese, words for English (docs/web.md, "Lessons").
 * @returns the lesson's h1 (`title`, '' without one) and the HTML after it with the ids, the contents, the minutes
 */
export function lessonContents(
  html: string,
  lang: Lang,
): { title: string; html: string; contents: ContentsEntry[]; readingMinutes: number } {
  const contents: ContentsEntry[] = [];
  const withIds = html.replace(HEADING, (_all, level: string, inner: string) => {
    if (level === '2' || !contents.length) {
      const id = `s-${contents.length + 1}`;
      contents.push({ id, text: textOf(inner).trim(), children: [] });
      return `<h${level} id="${id}">${inner}</h${level}>`;
    }
    const parent = contents[contents.length - 1];
    const id = `${parent.id}-${parent.children.length + 1}`;
    parent.children.push({ id, text: textOf(inner).trim() });
    return `<h3 id="${id}">${inner}</h3>`;
  });
  const text = textOf(html);
  const minutes =
    lang === 'ja'
      ? text.replace(/\s/g, '').length / JA_CHARACTERS_PER_MINUTE
      : text.split(/\s+/).filter(Boolean).length / EN_WORDS_PER_MINUTE;
  // The lesson's own h1 comes first, then the reading time and the contents (views/worker/lesson.hbs), then the rest.
  const end = withIds.indexOf('</h1>');
  const cut = end < 0 ? 0 : end + '</h1>'.length;
  return { title: withIds.slice(0, cut), html: withIds.slice(cut), contents, readingMinutes: Math.max(1, Math.ceil(minutes)) };
}
