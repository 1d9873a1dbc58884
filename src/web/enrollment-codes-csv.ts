import { toCsv } from '../common/csv/csv';
import { formatDateTime } from '../common/dates';
import type { IssuedCode } from '../workers/workers.service';
import { t, type Lang } from './i18n';

/**
 * The enrollment codes the manager hands out, as CSV for Excel (UTF-8 with
 * BOM): headers in the page's language (Japanese unless switched) and the
 * expiry in JST, written as the screen writes it. (The API's CSV keeps its
 * field names and ISO-8601 instants: workers/import-answer.ts.)
 */
export function enrollmentCodesCsv(codes: IssuedCode[], lang: Lang): string {
  return toCsv(
    [
      t(lang, 'codesCsv.header.name'),
      t(lang, 'codesCsv.header.email'),
      t(lang, 'codesCsv.header.employeeNumber'),
      t(lang, 'codesCsv.header.enrollmentCode'),
      t(lang, 'codesCsv.header.expiresAt'),
    ],
    codes.map((c) => [c.name, c.email, c.employeeNumber, c.enrollmentCode, formatDateTime(c.expiresAt, lang)]),
  );
}
