/*
 * Character-level rules shared by every kind of input (JSON and form bodies,
 * DTO fields, CSV cells). Docs: docs/inputs.md.
 */

/**
 * A UTF-16 code unit that is half of a surrogate pair without its other half
 * (`"\ud800"` in JSON). Such a string is not Unicode text (Unicode §3.9, D89 "ill-formed"):
 * it cannot be encoded as UTF-8, and libraries that assume well-formed text throw on it
 * (validator's isEmail raised URIError). In `u` mode a regular expression sees a proper
 * pair as one code point, so only a lone half matches.
 */
const LONE_SURROGATE = /\p{Cs}/u;

/** True when the string holds a lone surrogate (is not well-formed UTF-16). */
export const hasLoneSurrogate = (s: string): boolean => LONE_SURROGATE.test(s);

/*
 * Control characters (General Category Cc): C0 U+0000–U+001F, DEL U+007F and
 * C1 U+0080–U+009F. Also refused in every field: the line and paragraph
 * separators U+2028/2029 (line breaks in disguise: JavaScript, JSON tools and
 * some editors break lines at them, CSV and most others do not, so the text
 * would read differently in each place; a multi-line field has its line
 * breaks, LF and CRLF), and the bidirectional embedding, override and isolate
 * controls U+202A–U+202E, U+2066–U+2069, which make a name display as
 * something else (CVE-2021-42574, "Trojan Source"). A multi-line field allows
 * TAB, LF and CR, nothing else of these.
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const MULTI_LINE_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
/* eslint-enable no-control-regex */

/**
 * The index of the first character a text field may not hold, or -1.
 * `multiline` allows TAB, LF and CR (never U+2028/2029).
 */
export function forbiddenCharacterAt(s: string, multiline = false): number {
  const m = (multiline ? MULTI_LINE_FORBIDDEN : SINGLE_LINE_FORBIDDEN).exec(s);
  return m ? m.index : -1;
}

/** Well-formed text without control characters: what every text field must be. */
export function isPlainText(s: string, multiline = false): boolean {
  return !hasLoneSurrogate(s) && forbiddenCharacterAt(s, multiline) < 0;
}

/**
 * White space trimmed at both ends, the ideographic space U+3000 included
 * (Japanese input methods type it; String.prototype.trim already removes it,
 * with the other Unicode White_Space characters).
 */
export const trimText = (s: string): string => s.trim();
