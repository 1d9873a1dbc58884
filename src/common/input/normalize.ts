import { isEmail } from 'class-validator';
import { hasLoneSurrogate, isPlainText } from './unicode';

/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets, so an address at most 254. */
export const EMAIL_MAX_LENGTH = 254;

/*
 * Label separators UTS #46 (IDNA mapping) reads as "." in a domain name: the
 * ideographic full stop 。, the full-width ．(NFKC already maps it) and the
 * half-width ｡ (NFKC maps it to 。). A Japanese input method types 。 for the
 * dot of "example。jp".
 */
const IDEOGRAPHIC_DOTS = /[\u3002\uff0e\uff61]/g;

/**
 * The one e-mail normaliser, used everywhere an address enters (sign-in, user
 * and worker creation, CSV import, the page forms):
 *
 * 1. NFKC, so an address typed in full width (ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ) is the ASCII one;
 * 2. white space trimmed at both ends (the ideographic space too);
 * 3. the domain's 。 read as "." (UTS #46);
 * 4. the whole address lower-cased.
 *
 * Step 4 also folds the local part, which RFC 5321 §2.4 lets a mail server
 * treat as case-sensitive. We fold it anyway: an account is found by what the
 * person types, who does not remember capitals; every address stored so far
 * was folded the same way; and two accounts differing only in case would let
 * one person pass for another. No mail system in use by our customers
 * distinguishes the case of a mailbox. The result is not checked here: pass it
 * to `isEmailAddress`. Input that is not a string is returned as it is.
 */
export function normalizeEmail<T>(value: T): T | string {
  if (typeof value !== 'string' || hasLoneSurrogate(value)) return value;
  const s = value.normalize('NFKC').trim();
  const at = s.lastIndexOf('@');
  const local = at < 0 ? s : s.slice(0, at);
  const domain = at < 0 ? '' : s.slice(at + 1).replace(IDEOGRAPHIC_DOTS, '.');
  return (at < 0 ? local : `${local}@${domain}`).toLowerCase();
}

/**
 * An e-mail address as we accept it (validator's isEmail, which allows UTF-8
 * local parts and requires a dotted domain), at most 254 characters, and
 * well-formed text: isEmail throws URIError on a lone surrogate, so that is
 * checked first.
 */
export function isEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= EMAIL_MAX_LENGTH && !hasLoneSurrogate(value) && isEmail(value);
}

/*
 * What people and input methods type between the groups of a code, read as a
 * separator and removed (codes are Crockford base32: digits and Latin letters
 * only, so none of these can be part of a code). Matched after NFKC, so the
 * full-width and small forms have become their plain ones (－ U+FF0D and ﹣
 * U+FE63 are "-", ～ U+FF5E is "~", ｰ U+FF70 is ー, ⼀ U+2F00 is 一):
 * - white space;
 * - every dash: Unicode General Category Pd (‐ ‑ ‒ – — ― U+2010–2015, 〜
 *   U+301C, 〰 U+3030, ゠ U+30A0, ⸺ ⸻, ﹘ …), the minus signs − U+2212 and ➖
 *   U+2796, the modifier letter minus ˗ U+02D7, the hyphen bullet ⁃ U+2043;
 * - every long-vowel look-alike: the prolonged sound mark ー U+30FC, the kanji
 *   一 U+4E00 (what an input method often gives for a long dash; codes hold no
 *   kanji, so between groups it is a dash), the CJK stroke ㇐ U+31D0, the
 *   Hangul ㅡ U+3161/U+1173, the box-drawing lines ─ ━ U+2500/U+2501 (the
 *   IME's "罫線" candidates) and the horizontal line extension ⎯ U+23AF;
 * - every tilde: ~ U+007E (also what the Windows IME's ～ U+FF5E becomes),
 *   ∼ U+223C, ⁓ U+2053, and the combining tilde, macron and overline
 *   U+0303–U+0305 that NFKC leaves of ˜ ¯ ‾;
 * - the underscore, the dot and the middle dots ・ U+30FB (NFKC of ･), · U+00B7.
 */
const CODE_SEPARATORS =
  /[\s\p{Pd}\u2212\u2796\u02d7\u2043\u30fc\u4e00\u31d0\u3161\u1173\u2500\u2501\u23af~\u223c\u2053_.\u30fb\u00b7]|[\u0303-\u0305]/gu;

/*
 * Characters nobody sees, which copying from a PDF, a web page or an e-mail
 * and some input methods slip into what is typed: every format character
 * (General Category Cf: the soft hyphen U+00AD, the zero-width space, non-joiner
 * and joiner U+200B–U+200D, the word joiner U+2060, the BOM / zero-width
 * no-break space U+FEFF, …) and the combining grapheme joiner U+034F. Dropped.
 * (The bidirectional controls are Cf too, but a code holding one is refused by
 * the field's control-character rule before it gets here: see normalizeTypedCode.)
 */
const INVISIBLE = /[\p{Cf}\u034f]/gu;

/**
 * Longest input worth normalising: twice the longest code we issue with
 * generous spacing. Longer input is returned as it is, for the field's
 * length rule to refuse it without spending work on it.
 */
export const TYPED_CODE_MAX_INPUT = 128;

/**
 * The one normaliser for codes a person types from paper or reads aloud:
 * enrollment codes, certificate serials, and password-reset codes to come.
 * NFKC (full width → ASCII), invisible characters dropped (INVISIBLE), every
 * separator removed (CODE_SEPARATORS: white space, dashes, long-vowel marks
 * and their look-alikes such as 一, tildes, dots), upper case, then Crockford
 * base32's reading of look-alikes: I and L are 1, O is 0
 * (https://www.crockford.com/base32.html).
 * `ABCD－efgh ｰ jk1m` and `ABCD一EFGH～JK1M` → `ABCDEFGHJK1M`.
 * Input that is not a string, too long, not well-formed, or holding a
 * character no text field may hold besides white space (NUL, ESC, a bidi
 * control: unicode.ts) is returned as it is, for the field's rules to refuse
 * by name.
 * The result may still be no valid code; the code's owner decides.
 */
export function normalizeTypedCode<T>(value: T): T | string {
  // White space, line breaks and tabs included (a cell pasted from Excel ends in one), only separates.
  if (typeof value !== 'string' || value.length > TYPED_CODE_MAX_INPUT || !isPlainText(value.replace(/\s/g, ''))) return value;
  return value.normalize('NFKC').replace(INVISIBLE, '').replace(CODE_SEPARATORS, '').toUpperCase().replace(/[IL]/g, '1').replace(/O/g, '0');
}

/** NFKC and trimmed, for identifiers people type in full width by accident (digits of a corporate number, an employee number). */
export function normalizeIdentifier<T>(value: T): T | string {
  if (typeof value !== 'string' || hasLoneSurrogate(value)) return value;
  return value.normalize('NFKC').trim();
}

/** フリガナ's longest form, in UTF-16 code units (the name's limit is 200). */
export const FURIGANA_MAX = 200;

/** What a normalised フリガナ may hold: full-width katakana (ァ–ヺ, ヽヾ), ー, ・, and one space between parts. */
const FURIGANA = /^[\u30a1-\u30fa\u30fb\u30fc\u30fd\u30fe]+( [\u30a1-\u30fa\u30fb\u30fc\u30fd\u30fe]+)*$/;

/**
 * フリガナ as stored: NFKC (half-width ｶﾀｶﾅ become full width, ﾞ and ﾟ join their
 * kana: ｶﾞ → ガ), hiragana turned into katakana (ぁ–ゖ, ゝゞ: U+3041–U+3096 and
 * U+309D–U+309E are the katakana's code points less 0x60), white space
 * (U+3000 included, which NFKC makes a space) collapsed to one space and
 * trimmed. Not a string, or holding a lone surrogate: returned as it is, for
 * the field's rules to refuse. The result may still hold other characters;
 * isFurigana decides.
 */
export function normalizeFurigana<T>(value: T): T | string {
  if (typeof value !== 'string' || hasLoneSurrogate(value)) return value;
  return value
    .normalize('NFKC')
    .replace(/[\u3041-\u3096\u309d\u309e]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60))
    .replace(/\s+/g, ' ')
    .trim();
}

/** A normalised フリガナ (normalizeFurigana's result): katakana, ー, ・ and single spaces, at most FURIGANA_MAX. */
export function isFurigana(value: unknown): value is string {
  return typeof value === 'string' && value.length <= FURIGANA_MAX && FURIGANA.test(value);
}
