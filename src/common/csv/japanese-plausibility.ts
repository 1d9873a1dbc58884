import * as iconv from 'iconv-lite';

/*
 * How plausible a line of text is as something a Japanese workplace typed into
 * a spreadsheet: the rule on top of the encoding detector (decode.ts) for files
 * whose bytes are valid both as UTF-8 and as Shift_JIS (CP932). Each character
 * costs according to how usual it is; the reading that costs clearly less wins.
 *
 * Why it works: a CP932 file read as UTF-8 by mistake turns pairs of
 * half-width katakana into Latin Extended, IPA, Greek, Cyrillic, Armenian or
 * Hebrew letters, strung together without ASCII letters (ﾅｶﾆｼ ﾕｷ → ŶƼ շ); a
 * UTF-8 file read as CP932 turns kana and kanji into rare level-2 kanji mixed
 * with half-width katakana (山田 → 螻ｱ逕ｰ), and Latin letters with accents
 * into half-width katakana glued to ASCII letters (José → Josﾃｩ).
 */

const enum Kind {
  /** ASCII printable, TAB, CR, LF. */
  Ascii,
  /** Hiragana, katakana, CJK symbols and punctuation, JIS level-1 kanji, full-width forms. */
  Common,
  /** Half-width katakana U+FF61–U+FF9F. */
  HalfwidthKana,
  /** The rest of the CP932 repertoire: level-2 kanji, NEC/IBM extensions, symbols, Greek and Cyrillic. */
  RareJapanese,
  /** Latin letters outside ASCII (Latin-1, Extended-A/B, Extended Additional): foreign names. */
  Latin,
  /** Everything else: other scripts, control characters, private use, U+FFFD. */
  Other,
}

const COST: Record<Kind, number> = {
  [Kind.Ascii]: 0,
  [Kind.Common]: 1,
  [Kind.HalfwidthKana]: 2,
  [Kind.RareJapanese]: 3,
  [Kind.Latin]: 10,
  [Kind.Other]: 10,
};
/** A non-ASCII Latin letter in a word that also has ASCII letters (José, Trương) is ordinary. */
const LATIN_IN_WORD = 3;
/**
 * Outside such a word a Latin letter is less usual, the more so the further
 * from Latin-1: an accented initial (Ö.) happens; a word of Latin Extended-B
 * letters alone (ƼƂ) is what half-width katakana read as UTF-8 look like.
 */
const LATIN1_ALONE = 5;
const LATIN_EXTENDED_A_ALONE = 8;
/** Half-width punctuation ｡｢｣､ (U+FF61–FF64): the CP932 reading of EUC-JP and UTF-8 kana, seldom typed. */
const HALFWIDTH_PUNCTUATION = 6;
/** Half-width katakana in a word with ASCII letters (Josﾃｩ), kanji glued to half-width katakana or an ASCII letter (Ph蘯｡m, 螻ｱ). */
const GLUED = 4;

let table: Uint8Array | undefined;

/** The kind of every BMP code point, built once from CP932's own mapping (iconv-lite's, Microsoft's table). */
function kinds(): Uint8Array {
  if (table) return table;
  const t = new Uint8Array(0x10000).fill(Kind.Other);
  for (let c = 0x20; c < 0x7f; c++) t[c] = Kind.Ascii;
  for (const c of [0x09, 0x0a, 0x0d]) t[c] = Kind.Ascii;
  const latin = (from: number, to: number) => {
    for (let c = from; c <= to; c++) if (/\p{L}/u.test(String.fromCharCode(c))) t[c] = Kind.Latin;
  };
  latin(0xc0, 0x24f);
  latin(0x1e00, 0x1eff);
  // Every double-byte CP932 character (lead 0x81–0x9F, 0xE0–0xFC; trail 0x40–0xFC but 0x7F), each decoded
  // alone: an unmapped code decodes to U+FFFD and leaves its trail byte as a character of its own.
  for (let lead = 0x81; lead <= 0xfc; lead++) {
    if (lead > 0x9f && lead < 0xe0) continue;
    for (let trail = 0x40; trail <= 0xfc; trail++) {
      if (trail === 0x7f) continue;
      const decoded = iconv.decode(Buffer.from([lead, trail]), 'cp932');
      if (decoded.length !== 1) continue;
      const c = decoded.charCodeAt(0);
      // User-defined characters (F040–F9FC) decode to private use: no one else can show them.
      if (c === 0xfffd || (c >= 0xe000 && c <= 0xf8ff)) continue;
      const levelOneKanji = lead >= 0x88 && lead <= 0x98 && ((lead << 8) | trail) >= 0x889f && ((lead << 8) | trail) <= 0x9872;
      if (t[c] === Kind.Other || t[c] === Kind.Latin) t[c] = levelOneKanji ? Kind.Common : Kind.RareJapanese;
    }
  }
  const common = (from: number, to: number) => {
    for (let c = from; c <= to; c++) if (t[c] !== Kind.Other) t[c] = Kind.Common;
  };
  common(0x3000, 0x30ff); // CJK symbols and punctuation, hiragana, katakana
  common(0xff01, 0xff5e); // full-width ASCII
  for (let c = 0xff61; c <= 0xff9f; c++) t[c] = Kind.HalfwidthKana;
  table = t;
  return t;
}

const isAsciiAlnum = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isKanji = (c: number) => (c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff);
const isHalfwidthKana = (c: number) => c >= 0xff61 && c <= 0xff9f;
const WORD = /[\p{L}\p{M}]+/gu;

/**
 * The cost of a line: 0 for ASCII, 1 for common Japanese, up to 10 for what a
 * Japanese spreadsheet would hardly hold, plus penalties for scripts glued
 * together the way only mojibake glues them. Characters outside the BMP
 * (emoji, rare kanji of the supplementary planes) cost as Other.
 */
export function implausibility(line: string): number {
  const t = kinds();
  // Which positions belong to a word with ASCII letters (a Latin-script name).
  let inLatinWord: Uint8Array | undefined;
  const latinWord = (i: number) => {
    if (!inLatinWord) {
      inLatinWord = new Uint8Array(line.length);
      for (const m of line.matchAll(WORD)) if (/[A-Za-z]/.test(m[0])) inLatinWord.fill(1, m.index, m.index + m[0].length);
    }
    return inLatinWord[i] === 1;
  };
  let cost = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    const width = c >= 0xd800 && c <= 0xdbff ? 2 : 1; // one cost for a surrogate pair
    const kind: Kind = c >= 0xd800 && c <= 0xdfff ? Kind.Other : (t[c] as Kind);
    const prev = i > 0 ? line.charCodeAt(i - 1) : 0;
    const next = i + width < line.length ? line.charCodeAt(i + width) : 0;
    if (kind === Kind.Latin)
      cost += latinWord(i) ? LATIN_IN_WORD : c <= 0xff ? LATIN1_ALONE : c <= 0x17f ? LATIN_EXTENDED_A_ALONE : COST[kind];
    else if (kind === Kind.HalfwidthKana) {
      cost += c <= 0xff64 ? HALFWIDTH_PUNCTUATION : COST[kind];
      // In one word with ASCII letters (Josﾃｩ), or glued to a digit.
      if (isAsciiAlnum(prev) || isAsciiAlnum(next) || latinWord(i)) cost += GLUED;
      if (isKanji(prev) || isKanji(next)) cost += GLUED;
    } else {
      cost += COST[kind];
      if (isKanji(c) && (isAsciiAlnum(prev) || isAsciiAlnum(next) || isHalfwidthKana(prev) || isHalfwidthKana(next))) cost += GLUED;
    }
    i += width - 1;
  }
  return cost;
}

/** Whether a line holds a character outside ASCII and the Japanese repertoire (what CP932 read as UTF-8 shows: ŶƼ շ). */
export function hasNonJapanese(line: string): boolean {
  const t = kinds();
  for (let i = 0; i < line.length; i++) {
    const k = t[line.charCodeAt(i)] as Kind;
    if (k === Kind.Latin || k === Kind.Other) return true;
  }
  return false;
}

/*
 * EUC-JP writes a half-width katakana as two bytes, the single shift 0x8E and
 * the katakana's own byte 0xA1–0xDF. Read as CP932, 0x8E is a lead byte, so
 * each such pair is one of 63 kanji (0x8EA1–0x8EDF: 治爾璽…芝屡…遮蛇邪借…釈), and
 * an EUC-JP file of half-width names (ﾅｶﾆｼ ﾕｷ) reads as a string of them
 * (芝叱屡湿 遮執), valid CP932 without a mark of EUC-JP's full-width forms.
 */
let eucKanaAsCp932: Set<string> | undefined;

/** The 63 kanji CP932 reads from EUC-JP's half-width katakana (0x8E 0xA1–0xDF). */
function eucKanaKanji(): Set<string> {
  if (!eucKanaAsCp932) {
    eucKanaAsCp932 = new Set();
    for (let kana = 0xa1; kana <= 0xdf; kana++) eucKanaAsCp932.add(iconv.decode(Buffer.from([0x8e, kana]), 'cp932'));
  }
  return eucKanaAsCp932;
}

/** Fewest characters of such kanji in one cell to call it EUC-JP half-width katakana (a two-kanji name such as 柴 実 passes). */
const EUC_KANA_MIN = 3;

/**
 * Whether a line, read as CP932, holds a cell whose characters outside ASCII
 * are all kanji whose CP932 code starts with 0x8E and whose second byte is an
 * EUC-JP half-width katakana (0xA1–0xDF), at least three of them (white space
 * and ASCII aside, so `ﾔﾏﾀﾞ T.` is caught as well): what
 * EUC-JP half-width katakana look like read as CP932 (`芝叱屡湿 遮執` for
 * ﾅｶﾆｼ ﾕｷ). Implausible for a name: the 63 kanji are one row of the JIS table,
 * and a name made of nothing else is rare enough that the file is refused
 * rather than stored as `芝叱屡湿 遮執` (a real name such as 柴 実紗 is refused
 * too; saved as "CSV UTF-8" it is read). Cells are split at `,`, TAB and `"`.
 */
export function readsAsEucKana(cp932Line: string): boolean {
  const kanji = eucKanaKanji();
  for (const cell of cp932Line.split(/[,\t"]/)) {
    const chars = [...cell.replace(/[\s\u3000\x21-\x7e]/g, '')];
    if (chars.length >= EUC_KANA_MIN && chars.every((c) => kanji.has(c))) return true;
  }
  return false;
}

/**
 * Which of two readings of the same bytes is clearly more plausible: 'a', 'b',
 * or null when too close to tell: the winner must cost at most two thirds of
 * the other, less 5 (so two bytes of evidence, one letter, never decide alone).
 * Calibrated on names in kanji, kana, half-width katakana and Latin scripts
 * (japanese-plausibility.spec.ts): a file is refused rather than misread.
 */
export function clearlyBetter(costA: number, costB: number): 'a' | 'b' | null {
  if (costA * 1.5 + 5 <= costB) return 'a';
  if (costB * 1.5 + 5 <= costA) return 'b';
  return null;
}
