import * as Encoding from 'encoding-japanese';
import * as iconv from 'iconv-lite';
import { DomainError } from '../errors/domain-error';
import { clearlyBetter, implausibility } from './japanese-plausibility';

export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'cp932' | 'utf-16le' | 'utf-16be';

export interface DecodedCsv {
  /** The file's text, without a BOM. */
  text: string;
  encoding: CsvEncoding;
}

const LINE_BREAK = /\r\n|\r|\n/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Byte signatures of spreadsheet files that are not CSV: .xlsx (a ZIP) and the old .xls (OLE2). */
const WORKBOOK_SIGNATURES = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from([0xd0, 0xcf, 0x11, 0xe0])];

const fail = (code: 'csv.undecodable' | 'csv.encoding_unsure' | 'csv.encoding_mixed' | 'csv.user_defined_character', line: number) =>
  new DomainError(code, { line }, 'body');
const unsupported = (encoding: string) => new DomainError('csv.unsupported_encoding', { encoding }, 'body');

/**
 * Decodes an uploaded CSV, deciding its character encoding from the whole file.
 *
 * What Excel in Japan writes: "CSV" in CP932 (Shift_JIS as Windows has it,
 * with the NEC and IBM extensions ①, 髙, 﨑 and Microsoft's mapping of ～ ∥ －);
 * "CSV UTF-8" with a BOM; "Unicode テキスト" in UTF-16LE with a BOM,
 * tab-separated. Other programs write UTF-8 without a BOM.
 *
 * 1. A BOM decides: UTF-8, UTF-16LE or UTF-16BE (UTF-32 is refused).
 * 2. Without one, the detector (encoding-japanese) rules out what we do not
 *    read (ISO-2022-JP, UTF-32, UTF-16 without a BOM) and says which of UTF-8
 *    and Shift_JIS the bytes are valid in; iconv-lite decodes CP932.
 * 3. Valid in only one: that one. Valid in both (a file of half-width
 *    katakana can be valid UTF-8 by accident: ﾅｶﾆｼ ﾕｷ is the bytes of ŶƼ շ),
 *    our Japanese plausibility rule (japanese-plausibility.ts) compares the two
 *    readings over the lines where they differ, and the file is read the
 *    clearly more plausible way; if neither is clearly so, or a line clearly
 *    disagrees with the rest, the file is refused with that line's number:
 *    better no import than names stored garbled.
 * 4. CP932 text must be text: user-defined characters (外字, private use)
 *    and unmapped codes are refused with their line.
 *
 * @throws DomainError (400, field `body`) csv.binary, csv.unsupported_encoding,
 *   csv.undecodable, csv.encoding_unsure, csv.encoding_mixed, csv.user_defined_character;
 *   params `{ line }` (1-based, as an editor counts) or `{ encoding }`.
 */
export function decodeCsvBuffer(buf: Buffer): DecodedCsv {
  if (WORKBOOK_SIGNATURES.some((sig) => buf.subarray(0, sig.length).equals(sig))) throw new DomainError('csv.binary', { line: 1 }, 'body');
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return { text: decodeUtf8Strict(buf.subarray(3)), encoding: 'utf-8-bom' };
  if (buf[0] === 0xff && buf[1] === 0xfe && buf[2] === 0 && buf[3] === 0) throw unsupported('UTF-32');
  if (buf[0] === 0xff && buf[1] === 0xfe) return { text: decodeUtf16(buf.subarray(2), 'utf-16le'), encoding: 'utf-16le' };
  if (buf[0] === 0xfe && buf[1] === 0xff) return { text: decodeUtf16(buf.subarray(2), 'utf-16be'), encoding: 'utf-16be' };

  const detected = Encoding.detect(buf);
  if (detected === 'UTF32') throw unsupported('UTF-32');
  if (detected === 'UTF16' || detected === 'UTF16BE' || detected === 'UTF16LE') throw unsupported('UTF-16 (without BOM)');
  if (detected === 'JIS') throw unsupported('ISO-2022-JP (JIS)');

  return decodeWithoutBom(buf, detected);
}

interface Line {
  /** 1-based. */
  number: number;
  /** The line's text in each encoding it is valid in, else null (the same text for an ASCII line). */
  utf8: string | null;
  cp932: string | null;
}

/** Steps 3 and 4 of decodeCsvBuffer, line by line: a line break byte is never part of a multi-byte character in either encoding. */
function decodeWithoutBom(buf: Buffer, detected: string | false): DecodedCsv {
  const lines = splitLines(buf).map((bytes, i): Line => {
    const ascii = bytes.every((b) => b < 0x80) ? bytes.toString('latin1') : null;
    return {
      number: i + 1,
      utf8: ascii ?? tryUtf8(bytes),
      cp932: ascii ?? (Encoding.detect(bytes, 'SJIS') === 'SJIS' ? iconv.decode(bytes, 'cp932') : null),
    };
  });
  const allUtf8 = lines.every((l) => l.utf8 !== null);
  const allCp932 = lines.every((l) => l.cp932 !== null);
  if (!allUtf8 && !allCp932) {
    const neither = lines.find((l) => l.utf8 === null && l.cp932 === null);
    if (neither) throw fail('csv.undecodable', neither.number);
    // Every line is one or the other, but no encoding fits them all.
    const firstNotUtf8 = lines.find((l) => l.utf8 === null)!.number;
    const firstNotCp932 = lines.find((l) => l.cp932 === null)!.number;
    throw fail('csv.encoding_mixed', Math.max(firstNotUtf8, firstNotCp932));
  }
  // Lines that read differently in the two encodings, with the cost of each reading.
  const ambiguous = lines
    .filter((l) => l.utf8 !== null && l.cp932 !== null && l.utf8 !== l.cp932)
    .map((l) => ({ line: l.number, costUtf8: implausibility(l.utf8!), costCp932: implausibility(l.cp932!) }));
  let encoding: 'utf-8' | 'cp932';
  if (allUtf8 && allCp932 && ambiguous.length) {
    const verdict = clearlyBetter(
      ambiguous.reduce((n, a) => n + a.costUtf8, 0),
      ambiguous.reduce((n, a) => n + a.costCp932, 0),
    );
    if (verdict === null) throw fail('csv.encoding_unsure', ambiguous[0].line);
    encoding = verdict === 'a' ? 'utf-8' : 'cp932';
  } else encoding = allUtf8 ? 'utf-8' : 'cp932';
  // A line that clearly reads better the other way: a file put together from two encodings.
  const odd = ambiguous.find((a) => clearlyBetter(a.costUtf8, a.costCp932) === (encoding === 'utf-8' ? 'b' : 'a'));
  if (odd) throw fail('csv.encoding_mixed', odd.line);
  if (encoding === 'utf-8') return { text: stripBom(tryUtf8(buf)!), encoding };
  const text = iconv.decode(buf, 'cp932');
  if (detected === 'EUCJP' && looksLikeEucJp(buf, text)) throw unsupported('EUC-JP');
  return { text: checkCp932Text(text), encoding };
}

/** The bytes of each line, split at CR, LF and CRLF (the breaks themselves left out). */
function splitLines(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b !== 0x0a && b !== 0x0d) continue;
    out.push(buf.subarray(start, i));
    if (b === 0x0d && buf[i + 1] === 0x0a) i++;
    start = i + 1;
  }
  out.push(buf.subarray(start));
  return out;
}

/** What EUC-JP kana and kanji turn into when read as CP932: half-width punctuation, half-width katakana glued to kanji. */
const EUC_AS_CP932 = /[\uff61-\uff64]|[\u3400-\u9fff\uf900-\ufaff][\uff61-\uff9f]|[\uff61-\uff9f][\u3400-\u9fff\uf900-\ufaff]/;

/**
 * EUC-JP (not written by Excel; we do not read it) is mostly valid Shift_JIS
 * too. Half-width katakana in CP932 and kanji in EUC-JP are the same bytes, so
 * a file is taken for EUC-JP only on evidence: its CP932 reading has the marks
 * of EUC-JP kana (EUC_AS_CP932) and its EUC-JP reading is clearly more plausible.
 */
function looksLikeEucJp(buf: Buffer, asCp932: string): boolean {
  return EUC_AS_CP932.test(asCp932) && clearlyBetter(implausibility(iconv.decode(buf, 'eucjp')), implausibility(asCp932)) === 'a';
}

/** Unmapped codes (U+FFFD) and user-defined characters (private use) in decoded CP932 are refused with their line. */
function checkCp932Text(text: string): string {
  const bad = /[\ufffd\ue000-\uf8ff]/.exec(text);
  if (!bad) return text;
  const line = lineAt(text, bad.index);
  throw fail(bad[0] === '\ufffd' ? 'csv.undecodable' : 'csv.user_defined_character', line);
}

function tryUtf8(buf: Buffer): string | null {
  try {
    return utf8.decode(buf);
  } catch {
    return null;
  }
}

function decodeUtf8Strict(buf: Buffer): string {
  const text = tryUtf8(buf);
  if (text === null) throw fail('csv.undecodable', splitLines(buf).findIndex((line) => tryUtf8(line) === null) + 1);
  return stripBom(text);
}

function decodeUtf16(buf: Buffer, encoding: 'utf-16le' | 'utf-16be'): string {
  try {
    return stripBom(new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(buf));
  } catch {
    // A lone surrogate or an odd byte count: say where, from the lenient reading.
    const lenient = new TextDecoder(encoding, { ignoreBOM: true }).decode(buf);
    throw fail('csv.undecodable', lineAt(lenient, Math.max(0, lenient.indexOf('\ufffd'))));
  }
}

/** A second BOM (a file saved twice by different tools) would become part of the first header name. */
const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

const lineAt = (text: string, index: number) => text.slice(0, index).split(LINE_BREAK).length;
