import * as iconv from 'iconv-lite';

export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'cp932';

/** A CSV that cannot be parsed; `line` is the 1-based line the user sees in an editor. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`line ${line}: ${detail}`);
    this.name = 'CsvSyntaxError';
  }
}

const BOM = 0xfeff;

/**
 * Decodes an uploaded CSV. Excel in Japan saves "CSV" as Shift_JIS (really
 * CP932, which adds 髙, ①, … to JIS X 0208) and "CSV UTF-8" with a BOM, so
 * anything that is not valid UTF-8 is taken to be CP932.
 */
export function decodeCsvBuffer(buf: Buffer): {
  text: string;
  encoding: CsvEncoding;
} {
  let text: string;
  let encoding: CsvEncoding;
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    // The BOM is an explicit claim of UTF-8, so don't second-guess it with CP932.
    text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(buf.subarray(3));
    encoding = 'utf-8-bom';
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
      encoding = 'utf-8';
    } catch {
      text = iconv.decode(buf, 'cp932');
      encoding = 'cp932';
    }
  }
  // A BOM can survive decoding (e.g. a file saved twice by different tools);
  // left in place it would become part of the first header name.
  if (text.charCodeAt(0) === BOM) text = text.slice(1);
  return { text, encoding };
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

/**
 * RFC 4180 parser, one pass over the string with charCodeAt and slices.
 * `lines[i]` is the physical line where `rows[i]` starts, so import errors can
 * point at the line the user sees even when earlier fields span lines.
 */
export function parseCsv(text: string): { rows: string[][]; lines: number[] } {
  const rows: string[][] = [];
  const lines: number[] = [];
  const n = text.length;
  let line = 1;
  // Tolerate a BOM here too so a header never comes out as "\uFEFFname".
  let i = text.charCodeAt(0) === BOM ? 1 : 0;

  while (i < n) {
    const first = text.charCodeAt(i);
    if (first === CR || first === LF) {
      // Completely empty line: skip it but keep counting lines.
      i += first === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      continue;
    }

    const rowLine = line;
    const row: string[] = [];
    for (;;) {
      let value: string;
      if (text.charCodeAt(i) === QUOTE) {
        const quoteLine = line;
        i++;
        let chunkStart = i;
        value = '';
        for (;;) {
          if (i >= n) {
            throw new CsvSyntaxError(quoteLine, 'unterminated quoted field');
          }
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            if (text.charCodeAt(i + 1) === QUOTE) {
              value += text.slice(chunkStart, i + 1);
              i += 2;
              chunkStart = i;
              continue;
            }
            value += text.slice(chunkStart, i);
            i++;
            break;
          }
          if (c === CR) {
            line++;
            if (text.charCodeAt(i + 1) === LF) i++;
          } else if (c === LF) {
            line++;
          }
          i++;
        }
        // Text after the closing quote (`"ab"cd`) is kept literally, as Excel does.
        const tail = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === COMMA || c === CR || c === LF) break;
          i++;
        }
        if (i > tail) value += text.slice(tail, i);
      } else {
        // Unquoted: a stray `"` inside is literal (Excel-compatible).
        const start = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === COMMA || c === CR || c === LF) break;
          i++;
        }
        value = text.slice(start, i);
      }
      row.push(value);

      if (i >= n) break;
      const sep = text.charCodeAt(i);
      if (sep === COMMA) {
        i++;
        continue;
      }
      i += sep === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      break;
    }
    rows.push(row);
    lines.push(rowLine);
  }
  return { rows, lines };
}

const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;
const NEEDS_QUOTING = /[",\r\n]/;

function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  // Spreadsheets execute cells starting with these as formulas (CSV injection), so force text.
  if (typeof value !== 'number' && FORMULA_TRIGGERS.has(s.charAt(0)) && !PLAIN_NUMBER.test(s)) {
    s = `'${s}`;
  }
  if (NEEDS_QUOTING.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

function csvRecord(fields: (string | number | null | undefined)[]): string {
  // A lone empty field would be an empty line, which parsers (ours included) skip.
  if (fields.length === 1 && csvField(fields[0]) === '') return '""';
  return fields.map(csvField).join(',');
}

/**
 * Serialises to CSV with CRLF line ends. The BOM (on by default) is what makes
 * Excel in Japan open the file as UTF-8 instead of mojibake via CP932.
 */
export function toCsv(header: string[], rows: (string | number | null | undefined)[][], options: { bom?: boolean } = {}): string {
  const out: string[] = [csvRecord(header)];
  for (const row of rows) out.push(csvRecord(row));
  return (options.bom === false ? '' : '\uFEFF') + out.join('\r\n') + '\r\n';
}
