import type { TrainingModule, TrainingQuestion } from '../content.types';

/*
 * Builders for the quality-check specs: modules and questions as loadContent()
 * returns them, with only what a test sets. Not used outside specs.
 */

export type ChoiceSpec = { id?: string; ja: string; en?: string; correct?: boolean };

export function question(id: string, text: string, choices: ChoiceSpec[], extra: Partial<TrainingQuestion> = {}): TrainingQuestion {
  const cs = choices.map((c, i) => ({
    id: c.id ?? String.fromCharCode(97 + i),
    text: { ja: c.ja, en: c.en ?? c.ja },
    correct: c.correct ?? false,
  }));
  return {
    id,
    article: '1',
    text: { ja: text, en: text },
    choices: cs,
    explanation: { ja: '第1による。', en: 'Under Article 1.' },
    facts: [],
    multiple: cs.filter((c) => c.correct).length > 1,
    ...extra,
  };
}

export function trainingModule(id: string, questions: TrainingQuestion[], extra: Partial<TrainingModule> = {}): TrainingModule {
  const lesson = extra.lessonMarkdown ?? { ja: '# 基本\n\n第1により、特記事項は契約と一体です。\n', en: '# Basics\n\nUnder Article 1.\n' };
  return {
    id,
    revision: 1,
    minimumRevision: 1,
    title: { ja: `${id} の研修`, en: `${id} training` },
    summary: { ja: '要約です。', en: 'A summary.' },
    articles: ['1'],
    appliesWhen: 'always',
    drawSize: 5,
    passMark: 80,
    estimatedMinutes: 8,
    timeLimitMinutes: 30,
    questions,
    facts: [],
    lessonMarkdown: lesson,
    lessonHtml: { ja: '', en: '' },
    contentHash: '0'.repeat(64),
    ...extra,
  };
}
