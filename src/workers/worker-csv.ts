import { DomainError, type ErrorParams } from '../common/errors/domain-error';
import type { ErrorCode } from '../common/errors/error-codes';
import type { ParsedCsv } from '../common/csv/csv';
import { isEmailAddress, isFurigana, normalizeEmail, normalizeFurigana, normalizeIdentifier } from '../common/input/normalize';
import { isPlainText, trimText } from '../common/input/unicode';
import { EMPLOYEE_NUMBER_MAX, WORKER_NAME_MAX } from './dto/worker.dto';

export interface WorkerRow {
  /** The physical line the row starts on. */
  line: number;
  name: string;
  email: string;
  employeeNumber: string | null;
  /** Normalised フリガナ, null when the cell is empty; undefined when the file has no フリガナ column (a re-import keeps the stored one). */
  furigana?: string | null;
}

export interface CsvRowProblem {
  code: ErrorCode;
  params: ErrorParams;
}

/**
 * A line the import refused: the first problem's code and parameters, and
 * every problem of the line. Never the value itself: it may end up in a log
 * or a screenshot. (The API adds `message`, the English words of all of them:
 * workers/import-answer.ts.)
 */
export interface CsvRowError extends CsvRowProblem {
  line: number;
  problems: CsvRowProblem[];
}

/** Header names accepted for each column: the API's, and what a Japanese spreadsheet would say. */
const COLUMNS: Record<'name' | 'furigana' | 'email' | 'employeeNumber', string[]> = {
  name: ['name', '氏名', '名前', 'なまえ'],
  // Headers are compared after NFKC and lower-casing, so ﾌﾘｶﾞﾅ and FURIGANA are found too.
  furigana: ['furigana', 'フリガナ', 'ふりがな', '氏名(フリガナ)'],
  email: ['email', 'e-mail', 'mail', 'メールアドレス', 'メール'],
  employeeNumber: ['employeenumber', 'employee_number', 'employee number', '社員番号', '従業員番号', '職員番号'],
};

const rowError = (line: number, problems: CsvRowProblem[]): CsvRowError => ({ line, ...problems[0], problems });

/**
 * Turns parsed CSV rows into workers with the same rules as the API's
 * CreateWorkerDto (the input layer's normalisers and checks, without
 * class-validator's per-object cost on 10,000 rows): each line checked on its
 * own, so a bad line is reported with its number and the others still import.
 * Names are kept as written, trimmed (no Unicode normalisation: ﾅｶﾆｼ stays
 * half-width, 福 U+FA1B stays itself); フリガナ (optional column) through the
 * one フリガナ normaliser (hiragana and half width become full-width katakana);
 * e-mail addresses go through the one
 * e-mail normaliser; employee numbers through NFKC. Control characters are
 * refused in every cell.
 * @throws DomainError csv.file_empty, csv.header_missing `{ line, missing }` (400): no line can be read
 */
export function parseWorkerRows(parsed: ParsedCsv): { rows: WorkerRow[]; errors: CsvRowError[] } {
  const errors: CsvRowError[] = [];
  const [header, ...body] = parsed.rows;
  // Without a usable header no line can be read: the file as a whole is refused (nothing written).
  if (!header) throw new DomainError('csv.file_empty', {}, 'body');
  const norm = header.map((h) => trimText(h).normalize('NFKC').toLowerCase());
  const index = {} as Record<keyof typeof COLUMNS, number>;
  for (const [key, names] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string[]][])
    index[key] = norm.findIndex((h) => names.includes(h));
  const missing = (['name', 'email'] as const).filter((k) => index[k] < 0);
  if (missing.length) throw new DomainError('csv.header_missing', { line: parsed.lines[0], missing: missing.join(', ') }, 'body');

  const rows: WorkerRow[] = [];
  const seen = new Map<string, number>();
  body.forEach((cells, i) => {
    const line = parsed.lines[i + 1];
    if (cells.every((c) => trimText(c) === '')) return; // Excel's trailing ",,," rows
    const problems: CsvRowProblem[] = [];
    const cell = (column: keyof typeof COLUMNS) => {
      const raw = index[column] >= 0 ? (cells[index[column]] ?? '') : '';
      if (!isPlainText(raw)) problems.push({ code: 'csv.control_character', params: { column } });
      return raw;
    };
    const name = trimText(cell('name'));
    const email = String(normalizeEmail(cell('email')));
    const employeeNumber = String(normalizeIdentifier(cell('employeeNumber'))) || null;
    const kana = index.furigana >= 0 ? String(normalizeFurigana(cell('furigana'))) || null : undefined;
    if (kana && !problems.some((p) => p.params.column === 'furigana') && !isFurigana(kana))
      problems.push({ code: 'csv.furigana_invalid', params: {} });
    if (!problems.some((p) => p.params.column === 'name')) {
      if (!name) problems.push({ code: 'csv.name_empty', params: {} });
      else if (name.length > WORKER_NAME_MAX) problems.push({ code: 'csv.name_too_long', params: { max: WORKER_NAME_MAX } });
    }
    if (!problems.some((p) => p.params.column === 'email')) {
      if (!email) problems.push({ code: 'csv.email_empty', params: {} });
      else if (!isEmailAddress(email)) problems.push({ code: 'csv.email_invalid', params: {} });
    }
    if (employeeNumber && employeeNumber.length > EMPLOYEE_NUMBER_MAX)
      problems.push({ code: 'csv.employee_number_too_long', params: { max: EMPLOYEE_NUMBER_MAX } });
    if (!problems.length && seen.has(email)) problems.push({ code: 'csv.email_repeats', params: { line: seen.get(email)! } });
    if (problems.length) return void errors.push(rowError(line, problems));
    seen.set(email, line);
    rows.push({ line, name, email, employeeNumber, ...(kana === undefined ? {} : { furigana: kana }) });
  });
  return { rows, errors };
}
