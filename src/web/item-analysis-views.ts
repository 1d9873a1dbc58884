import { toCsv } from '../common/csv/csv';
import type { Lang } from '../content/content.types';
import type { ItemAnalysis, ModuleAnalysisSummary } from '../item-analysis/item-analysis.service';
import type { ItemFlag } from '../item-analysis/item-statistics';
import { t } from './i18n';

/** 0.9333… → "93.3%"; null → "—". */
const percent = (v: number | null) => (v === null ? '—' : `${(Math.round(v * 1000) / 10).toFixed(1)}%`);
/** r → "0.41" / "−0.12"; null → "—" (undefined: zero variance or fewer than two sittings). */
const signed = (v: number | null) => (v === null ? '—' : v.toFixed(2).replace('-', '−'));
/** For the CSV: three decimals, empty when null. */
const decimal = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);

const flagLabel = (lang: Lang, f: ItemFlag) => t(lang, `itemAnalysis.flag.${f}`);

/** The list page: each module of the catalog at its current revision, with its flagged questions. */
export function itemAnalysisListView(summaries: ModuleAnalysisSummary[], lang: Lang) {
  return summaries.map((s) => ({
    ...s,
    title: s.title[lang],
    href: `/content/item-analysis/${s.moduleId}`,
    flagSummary: (Object.keys(s.flags) as ItemFlag[])
      .filter((f) => s.flags[f] > 0)
      .map((f) => `${flagLabel(lang, f)} ${s.flags[f]}`)
      .join('、'),
  }));
}

/**
 * One module's page: a table per question with its text, facility,
 * discrimination, flags and the choices with how often each was picked (the
 * key marked by a word and a sign, not colour alone), and links to the other
 * revisions and to the CSV of what is shown.
 */
export function itemAnalysisView(a: ItemAnalysis, lang: Lang) {
  const query = (revision: number, attempts = a.attempts) => `?revision=${revision}&attempts=${attempts}`;
  return {
    moduleId: a.moduleId,
    moduleTitle: a.title[lang],
    revision: a.revision,
    current: a.revision === a.currentRevision,
    sittings: a.sittings,
    attempts: a.attempts,
    thresholds: a.thresholds,
    tooEasyPercent: Math.round(a.thresholds.tooEasyFacility * 100),
    flagged: a.questions.filter((q) => q.flags.length).length,
    revisions: a.revisions.map((r) => ({ ...r, href: query(r.revision), selected: r.revision === a.revision })),
    attemptModes: (['first', 'all'] as const).map((m) => ({
      mode: m,
      label: t(lang, `itemAnalysis.attempts.${m}`),
      href: query(a.revision, m),
      selected: m === a.attempts,
    })),
    csvHref: `/api/v1/modules/${a.moduleId}/item-analysis${query(a.revision)}&format=csv&lang=${lang}`,
    questions: a.questions.map((q, i) => ({
      n: i + 1,
      id: q.id,
      article: q.article,
      text: q.text[lang],
      multiple: q.multiple,
      attempts: q.attempts,
      right: q.right,
      facility: percent(q.facility),
      discrimination: signed(q.discrimination),
      unanswered: q.unanswered,
      flags: q.flags.map((f) => ({ code: f, label: flagLabel(lang, f) })),
      choices: q.choices.map((c) => ({ id: c.id, text: c.text[lang], correct: c.correct, count: c.count, share: percent(c.share) })),
    })),
  };
}

/**
 * The analysis as CSV for Excel: UTF-8 with BOM, headers in `lang` (Japanese
 * by default, as the progress CSV), one row per choice with its question's
 * figures repeated, so a pivot table needs no reshaping. Facility, share and
 * discrimination as decimals (0.933, −0.120); empty where undefined.
 */
export function itemAnalysisCsv(a: ItemAnalysis, lang: Lang): string {
  const header = (
    [
      'module',
      'revision',
      'attempts',
      'questionId',
      'article',
      'question',
      'multiple',
      'sittings',
      'right',
      'facility',
      'discrimination',
      'unanswered',
      'flags',
      'choiceId',
      'choice',
      'correct',
      'chosen',
      'share',
    ] as const
  ).map((k) => t(lang, `itemAnalysis.csv.${k}`));
  const yes = t(lang, 'itemAnalysis.csv.yes');
  const rows = a.questions.flatMap((q) =>
    q.choices.map((c) => [
      a.moduleId,
      a.revision,
      t(lang, `itemAnalysis.attempts.${a.attempts}`),
      q.id,
      q.article,
      q.text[lang],
      q.multiple ? yes : '',
      q.attempts,
      q.right,
      decimal(q.facility),
      decimal(q.discrimination),
      q.unanswered,
      q.flags.map((f) => flagLabel(lang, f)).join(' / '),
      c.id,
      c.text[lang],
      c.correct ? yes : '',
      c.count,
      decimal(c.share),
    ]),
  );
  return toCsv(header, rows);
}
