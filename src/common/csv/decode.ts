import * as Encoding from 'encoding-japanese';
import * as iconv from 'iconv-lite';
import { isUtf8 } from 'node:buffer';
import { DomainError } from '../errors/domain-error';
import { clearlyBetter, hasNonJapanese, implausibility, readsAsEucKana } from './japanese-plausibility';

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
 * 3. Valid in both (a file of half-width katakana can be valid UTF-8 by
 *    accident: ﾅｶﾆｼ ﾕｷ is the bytes of ŶƼ շ): our Japanese plausibility rule
 *    (japanese-plausibility.ts) weighs the two readings of every line where
 *    they differ, and the file is read the clearly more plausible way; if
 *    neither is clearly so, the file is refused naming the first such line.
 *    Valid in only one: that one.
 * 4. Either way, a line that clearly reads better in the other encoding (a
 *    CP932 line pasted into a UTF-8 file) refuses the file, naming the line:
 *    better no import than names stored garbled.
 * 5. CP932 text must be text: user-defined characters (外字, private use)
 *    and unmapped codes are refused with their line.
 * 6. EUC-JP (Excel never writes it) is refused as such when its CP932 reading
 *    has the marks of EUC-JP full-width text; a line whose CP932 reading is
 *    only kanji of the EUC-JP single shift 0x8E (its half-width katakana:
 *    japanese-plausibility.ts `readsAsEucKana`) refuses the file as
 *    `csv.encoding_unsure`. EUC-JP kanji that read as CP932 half-width
 *    katakana (渡辺 = c5cf cad5 = ﾅﾏﾊﾕ) cannot be told from CP932 half-width
 *    names and are read as CP932.
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

/** Steps 3 to 5 of decodeCsvBuffer. A line break byte is never part of a multi-byte character in either encoding, so lines can be judged one by one. */
function decodeWithoutBom(buf: Buffer, detected: string | false): DecodedCsv {
  const asUtf8 = tryUtf8(buf);
  const isCp932 = Encoding.detect(buf, 'SJIS') === 'SJIS';
  if (asUtf8 === null && !isCp932) throw whyUndecodable(buf);
  const asCp932 = isCp932 ? iconv.decode(buf, 'cp932') : null;
  if (asCp932 !== null && asCp932 === asUtf8) return { text: stripBom(asUtf8), encoding: 'utf-8' }; // ASCII

  let encoding: 'utf-8' | 'cp932';
  let ambiguous: Reading[];
  if (asUtf8 !== null && asCp932 !== null) {
    ambiguous = readings(asUtf8.split(LINE_BREAK), asCp932.split(LINE_BREAK));
    const verdict = clearlyBetter(
      ambiguous.reduce((n, a) => n + a.costUtf8, 0),
      ambiguous.reduce((n, a) => n + a.costCp932, 0),
    );
    if (verdict === null) throw fail('csv.encoding_unsure', ambiguous[0].line);
    encoding = verdict === 'a' ? 'utf-8' : 'cp932';
  } else if (asUtf8 !== null) {
    // A UTF-8 file. A line that would read better as CP932 shows non-Japanese letters as UTF-8 (ŶƼ շ); only those are weighed.
    encoding = 'utf-8';
    const byteLines = splitLines(buf);
    const utf8Lines = asUtf8.split(LINE_BREAK);
    const suspect = utf8Lines.map((l, i) => (hasNonJapanese(l) && Encoding.detect(byteLines[i], 'SJIS') === 'SJIS' ? i : -1));
    ambiguous = readings(
      utf8Lines,
      utf8Lines.map((_, i) => (suspect[i] >= 0 ? iconv.decode(byteLines[i], 'cp932') : null)),
    );
  } else {
    // A CP932 file: weigh the lines that are valid UTF-8 too.
    encoding = 'cp932';
    const byteLines = splitLines(buf);
    ambiguous = readings(
      byteLines.map((b) => (isUtf8(b) ? utf8.decode(b) : null)),
      asCp932!.split(LINE_BREAK),
    );
  }
  // A line that clearly reads better the other way: a file put together from two encodings.
  const odd = ambiguous.find((a) => clearlyBetter(a.costUtf8, a.costCp932) === (encoding === 'utf-8' ? 'b' : 'a'));
  if (odd) throw fail('csv.encoding_mixed', odd.line);
  if (encoding === 'utf-8') return { text: stripBom(asUtf8!), encoding };
  if (detected === 'EUCJP' && looksLikeEucJp(buf, asCp932!)) throw unsupported('EUC-JP');
  // EUC-JP half-width katakana read as CP932 kanji (芝叱屡湿 遮執 for ﾅｶﾆｼ ﾕｷ): not sure enough to store it.
  const eucKana = asCp932!.split(LINE_BREAK).findIndex(readsAsEucKana);
  if (eucKana >= 0) throw fail('csv.encoding_unsure', eucKana + 1);
  return { text: checkCp932Text(asCp932!), encoding };
}

interface Reading {
  line: number;
  costUtf8: number;
  costCp932: number;
}

/** The lines whose two readings both exist and differ, with the cost of each. */
function readings(utf8Lines: (string | null)[], cp932Lines: (string | null)[]): Reading[] {
  const out: Reading[] = [];
  for (let i = 0; i < utf8Lines.length; i++) {
    const u = utf8Lines[i];
    const s = cp932Lines[i];
    if (u !== null && s !== null && u !== s) out.push({ line: i + 1, costUtf8: implausibility(u), costCp932: implausibility(s) });
  }
  return out;
}

/**
 * Bytes valid as neither encoding: the first line that is neither names the
 * culprit; if every line is one or the other, the file mixes the two.
 */
function whyUndecodable(buf: Buffer): DomainError {
  const lines = splitLines(buf);
  const utf8Ok = lines.map((b) => isUtf8(b));
  const cp932Ok = lines.map((b) => Encoding.detect(b, 'SJIS') === 'SJIS' || b.length === 0);
  const neither = lines.findIndex((_, i) => !utf8Ok[i] && !cp932Ok[i]);
  if (neither >= 0) return fail('csv.undecodable', neither + 1);
  return fail('csv.encoding_mixed', Math.max(utf8Ok.indexOf(false), cp932Ok.indexOf(false)) + 1);
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
