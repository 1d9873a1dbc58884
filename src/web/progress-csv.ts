import type { Readable } from 'node:stream';
import { csvStream } from '../common/csv/csv';
import { todayJst } from '../common/dates';
import type { ContentService } from '../content/content.service';
import type { ProgressExport } from '../reports/tracking.service';
import { t, type Lang } from './i18n';

const HEADERS = [
  'progressCsv.header.organization',
  'progressCsv.header.tier',
  'progressCsv.header.approval',
  'progressCsv.header.name',
  'progressCsv.header.employeeNumber',
  'progressCsv.header.status',
  'progressCsv.header.overdue',
  'progressCsv.header.modulesCompleted',
  'progressCsv.header.modulesRequired',
  'progressCsv.header.serial',
  'progressCsv.header.certificateStatus',
  'progressCsv.header.validUntil',
] as const;

/**
 * The progress as CSV for Excel in Japan (UTF-8 with BOM, from csvStream), one
 * row per worker, headers and statuses in `lang` (Japanese unless `lang=en`),
 * one column per module of the curriculum titled in that language, dates in
 * JST like the screen. The same
 * words as the pages (`status.*`). Used by the progress page's download and
 * the API's `?format=csv`. Streamed: each page of the export's workers is
 * written as the reader takes it (TrackingService.exportRows), so 100,000
 * workers are never held as rows or text at once (issue 17).
 */
export function progressCsv(exported: ProgressExport, lang: Lang, content: ContentService): Readable {
  const { curriculum, pages } = exported;
  const header = [...HEADERS.map((k) => t(lang, k)), ...curriculum.map((id) => content.get(id).title[lang])];
  return csvStream(
    header,
    (async function* () {
      for await (const page of pages)
        yield page.map((w) => [
          w.organization.name,
          w.organization.tier,
          t(lang, `status.${w.organization.status}`),
          w.name,
          w.employeeNumber,
          t(lang, `status.${w.status}`),
          w.overdue ? t(lang, 'status.overdue') : '',
          w.modules.filter((m) => m.status === 'completed').length,
          curriculum.length,
          w.certificate?.serial,
          w.certificate ? t(lang, `status.${w.certificate.status}`) : '',
          w.certificate ? todayJst(new Date(w.certificate.validUntil)) : '',
          ...w.modules.map((m) =>
            m.status === 'completed' ? t(lang, 'progressCsv.moduleCompleted', { score: m.bestScore ?? '' }) : t(lang, `status.${m.status}`),
          ),
        ]);
    })(),
  );
}
