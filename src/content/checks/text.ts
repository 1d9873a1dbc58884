import { LANGS, type Lang, type TrainingModule } from '../content.types';

/*
 * Small text helpers shared by the content quality checks (cue checker,
 * near-duplicates, facts, glossary). Pure functions, no I/O.
 */

/** NFKC (full-width letters and digits to half-width, half-width kana to full-width), lower case, runs of white space as one space, trimmed. */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Length in code points of the NFKC text without white space: the "how long does it look" measure for both languages. */
export function visibleLength(text: string): number {
  return [...text.normalize('NFKC').replace(/\s+/g, '')].length;
}

/** 32-bit FNV-1a of a string; used where a deterministic tie-break must not depend on file order. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A Markdown line as plain text: heading marks, list bullets, emphasis, code ticks and link targets removed. */
export function markdownLineText(line: string): string {
  return line
    .replace(/^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)/, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]+/g, '')
    .trim();
}

/** A short excerpt of `text` around index `at` (about `radius` code units either side), on one line. */
export function excerpt(text: string, at: number, length: number, radius = 20): string {
  const start = Math.max(0, at - radius);
  const end = Math.min(text.length, at + length + radius);
  return `${start > 0 ? '…' : ''}${text.slice(start, end).replace(/\s+/g, ' ')}${end < text.length ? '…' : ''}`;
}

/** Where a piece of module text comes from. */
export type TextKind = 'title' | 'summary' | 'lesson' | 'question' | 'choice' | 'explanation';

/** One piece of text of a module in one language: a lesson line, a question stem, a choice, an explanation, … */
export interface TextUnit {
  readonly moduleId: string;
  /** Relative to the content directory. */
  readonly file: string;
  /** `line 12` (lessons, 1-based), `q03`, `q03.choices.b`, `q03.explanation`, `title`, `summary`. */
  readonly where: string;
  readonly lang: Lang;
  readonly kind: TextKind;
  /** Set for question, choice and explanation units. */
  readonly questionId?: string;
  readonly text: string;
}

/** Every piece of text of a module, both languages: module.yaml title and summary, lesson lines (non-blank), questions. */
export function textUnits(
  module: Pick<TrainingModule, 'id' | 'title' | 'summary' | 'lessonMarkdown' | 'questions'>,
  langs: readonly Lang[] = LANGS,
): TextUnit[] {
  const units: TextUnit[] = [];
  const base = `modules/${module.id}`;
  for (const lang of langs) {
    const add = (file: string, where: string, kind: TextKind, text: string, questionId?: string) =>
      units.push({ moduleId: module.id, file: `${base}/${file}`, where, lang, kind, text, questionId });
    add('module.yaml', 'title', 'title', module.title[lang]);
    add('module.yaml', 'summary', 'summary', module.summary[lang]);
    module.lessonMarkdown[lang].split('\n').forEach((line, i) => {
      if (line.trim()) add(`lesson.${lang}.md`, `line ${i + 1}`, 'lesson', line);
    });
    for (const q of module.questions) {
      add('questions.yaml', q.id, 'question', q.text[lang], q.id);
      for (const c of q.choices) add('questions.yaml', `${q.id}.choices.${c.id}`, 'choice', c.text[lang], q.id);
      add('questions.yaml', `${q.id}.explanation`, 'explanation', q.explanation[lang], q.id);
    }
  }
  return units;
}
