import type { Totals } from '../reports/tracking.service';
import { t, type Lang } from './i18n';

/** The segments of a completion bar, in the order drawn (left to right): 完了, 受講中, 未着手, 未登録. */
export const BAR_SEGMENTS = ['certified', 'inProgress', 'notStarted', 'notEnrolled'] as const;
type Segment = (typeof BAR_SEGMENTS)[number];

/** A company's bar: its name and tier, and the counts the bar draws. */
export interface BarInput {
  id: string;
  name: string;
  tierLabel: string;
  counts: Pick<Totals, 'assigned' | Segment>;
}

/**
 * Per-company completion bars, drawn on the server as SVG (partials/completion-bars.hbs; no client
 * chart library, no script). Each bar is `role="img"` with a `<title>` holding every number in words,
 * and the same sentence is printed beside it, so colour is never the only carrier. Widths are
 * percentages of the company's assigned workers in a 100-unit viewBox; a company with nobody
 * assigned gets an empty bar and says so. `expiring` counts as completed (it is a valid certificate).
 */
export function completionBars(rows: readonly BarInput[], lang: Lang, idPrefix: string) {
  return {
    id: idPrefix,
    legend: BAR_SEGMENTS.map((s) => ({ segment: s, label: t(lang, `bars.${s}`) })),
    bars: rows.map((r, i) => {
      const total = r.counts.assigned;
      const percent = total ? Math.round((r.counts.certified / total) * 100) : 0;
      let x = 0;
      const segments = BAR_SEGMENTS.filter((s) => r.counts[s] > 0).map((s) => {
        const width = (r.counts[s] / total) * 100;
        const seg = { segment: s, x: round(x), width: round(width) };
        x += width;
        return seg;
      });
      return {
        id: `${idPrefix}-${i + 1}`,
        name: r.name,
        tierLabel: r.tierLabel,
        percent,
        empty: total === 0,
        segments,
        text: total
          ? t(lang, 'bars.text', {
              name: r.name,
              tier: r.tierLabel,
              certified: r.counts.certified,
              inProgress: r.counts.inProgress,
              notStarted: r.counts.notStarted,
              notEnrolled: r.counts.notEnrolled,
              assigned: total,
              percent,
            })
          : t(lang, 'bars.noneText', { name: r.name, tier: r.tierLabel }),
      };
    }),
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
