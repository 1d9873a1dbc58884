import { toCsv } from '../common/csv/csv';
import { englishWords } from '../common/errors/words';
import type { CsvRowError } from './worker-csv';
import type { ImportResult, IssuedCode } from './workers.service';

/*
 * The API's representations of imports and issued codes (the JSON API speaks
 * English and names its CSV columns like its JSON fields; the pages' CSV with
 * Japanese headers and JST times is web/'s).
 */

const CODE_CSV_HEADER = ['name', 'email', 'employeeNumber', 'enrollmentCode', 'expiresAt'];
/** The import's answer as CSV: the code columns, then where each row came from and, for a refused line, why. */
const IMPORT_CSV_HEADER = [...CODE_CSV_HEADER, 'line', 'errorCode', 'error'];

/** A refused line as the API answers it: its codes, and `message`, the English words of all its problems joined by "; ". */
export const rowErrorAnswer = (e: CsvRowError) => ({ ...e, message: e.problems.map((p) => englishWords(p.code, p.params)).join('; ') });

/** The import's JSON answer: the service's result with each refused line's English words. */
export const importAnswer = (result: ImportResult) => ({ ...result, errors: result.errors.map(rowErrorAnswer) });

/** Issued codes as the API's CSV: ISO-8601 instants, the API's field names as headers. */
export function codesCsv(codes: IssuedCode[]): string {
  return toCsv(
    CODE_CSV_HEADER,
    codes.map((c) => [c.name, c.email, c.employeeNumber, c.enrollmentCode, c.expiresAt]),
  );
}

/**
 * The import's answer as CSV (UTF-8 with BOM, for Excel): one row per issued
 * code and one per listed refused line (the first MAX_REPORTED_ERRORS), in
 * file order; a refused line has only `line`, `errorCode` (its first problem)
 * and `error` (the English words of all its problems). When more lines were
 * refused than listed, a last row says so in the body itself (`errorCode`
 * `csv.errors_not_listed`, no `line`), not only in the `x-import-error-count`
 * header a spreadsheet never shows. The counts travel in small headers too
 * (see the controller).
 */
export function importResultCsv(result: ImportResult): string {
  const rows: { line: number; cells: (string | number | null)[] }[] = [
    ...(result.codes ?? []).map((c) => ({
      line: c.line ?? 0,
      cells: [c.name, c.email, c.employeeNumber, c.enrollmentCode, c.expiresAt, c.line ?? null, null, null],
    })),
    ...result.errors.map(rowErrorAnswer).map((e) => ({ line: e.line, cells: [null, null, null, null, null, e.line, e.code, e.message] })),
  ];
  rows.sort((a, b) => a.line - b.line);
  const notListed = result.errorCount - result.errors.length;
  if (notListed > 0) {
    const params = { notListed, listed: result.errors.length, total: result.errorCount };
    rows.push({
      line: Infinity,
      cells: [null, null, null, null, null, null, 'csv.errors_not_listed', englishWords('csv.errors_not_listed', params)],
    });
  }
  return toCsv(
    IMPORT_CSV_HEADER,
    rows.map((r) => r.cells),
  );
}
