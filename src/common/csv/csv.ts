import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { Readable } from 'node:stream';
import { DomainError } from '../errors/domain-error';

export { decodeCsvBuffer, type CsvEncoding, type DecodedCsv } from './decode';

export interface ParsedCsv {
  rows: string[][];
  /** `lines[i]` is the 1-based physical line where `rows[i]` starts, as an editor numbers it. */
  lines: number[];
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * The field separator of a file: TAB when its first non-empty line has tabs
 * and no commas (Excel's "Unicode テキスト" export, TSV), else a comma.
 */
export function detectDelimiter(text: string): ',' | '\t' {
  const first = text.split(/\r\n|\r|\n/).find((l) => l.length > 0) ?? '';
  return first.includes('\t') && !first.includes(',') ? '\t' : ',';
}

/**
 * RFC 4180 CSV as Excel writes it, parsed by csv-parse: quoted fields with
 * commas, doubled quotes and line breaks; CRLF, LF or CR row ends; empty lines
 * skipped; rows of any length; a stray quote inside an unquoted field kept.
 * Line numbers come from csv-parse's record info (`bytes`, the offset where each
 * record ends): a record starts where the previous one ended, past empty lines, so
 * an error can name the line the user sees even after multi-line fields.
 * @throws DomainError csv.syntax `{ line }` (400, field `body`), e.g. a quote never closed
 */
export function parseCsv(text: string, options: { delimiter?: ',' | '\t' } = {}): ParsedCsv {
  const buf = Buffer.from(text, 'utf8');
  const lineStarts = [0];
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === CR && buf[i + 1] === LF) i++;
    if (b === CR || b === LF) lineStarts.push(i + 1);
  }
  const lineOf = (offset: number) => {
    // Binary search: the last line starting at or before the offset.
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const startAfter = (end: number) => {
    let at = end;
    while (buf[at] === CR || buf[at] === LF) at++;
    return at;
  };

  const rows: string[][] = [];
  const lines: number[] = [];
  let lastEnd = 0;
  try {
    parse(buf, {
      delimiter: options.delimiter ?? ',',
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      // `info` is csv-parse's record info (what its `info` option attaches): `bytes` is where the record ends.
      on_record: (record: string[], info: { bytes: number }) => {
        rows.push(record);
        lines.push(lineOf(startAfter(lastEnd)));
        lastEnd = info.bytes;
        return null; // kept here, not in csv-parse's own array
      },
    });
  } catch (e) {
    if (typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code.startsWith('CSV_'))
      throw new DomainError('csv.syntax', { line: lineOf(startAfter(lastEnd)) }, 'body');
    throw e;
  }
  return { rows, lines };
}

const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;
/** Control characters other than TAB, CR and LF: never written raw into a file (older rows may hold them). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** A text cell as written: control characters replaced with U+FFFD, and a leading formula trigger neutralised. */
function safeCell(value: string): string {
  const s = value.replace(CONTROL, '\ufffd');
  // Spreadsheets execute cells starting with these as formulas (CSV injection, OWASP), so force text.
  return FORMULA_TRIGGERS.has(s.charAt(0)) && !PLAIN_NUMBER.test(s) ? `'${s}` : s;
}

/**
 * Serialises to CSV with csv-stringify: CRLF row ends, fields quoted when
 * they hold a comma, quote, CR or LF, null and undefined as empty fields,
 * numbers as they are, text through safeCell. The BOM (on by default) is
 * what makes Excel in Japan open the file as UTF-8 instead of CP932.
 */
export function toCsv(header: string[], rows: CsvCell[][], options: { bom?: boolean } = {}): string {
  return (options.bom === false ? '' : '\uFEFF') + stringify([header, ...rows], CSV_OPTIONS);
}

type CsvCell = string | number | null | undefined;
const CSV_OPTIONS = { record_delimiter: 'windows', quoted_match: /[\r\n]/, cast: { string: safeCell } } as const;

/**
 * The same CSV as toCsv (BOM, header, then the rows), as a stream: each page
 * of rows is read from `pages` only when the reader wants more (Readable.from
 * pulls the generator as the socket drains), so the first bytes leave before
 * the last row is read and only one page is held at a time.
 */
export function csvStream(header: string[], pages: AsyncIterable<CsvCell[][]>): Readable {
  return Readable.from(
    (async function* () {
      yield '\uFEFF' + stringify([header], CSV_OPTIONS);
      for await (const rows of pages) if (rows.length) yield stringify(rows, CSV_OPTIONS);
    })(),
    { objectMode: false },
  );
}
