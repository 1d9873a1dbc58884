import { randomBytes } from 'node:crypto';
import { normalizeTypedCode } from '../../common/input/normalize';

/*
 * Certificate serials: `XXXX-XXXX-XXXX-C`, 12 random Crockford base32 symbols
 * (60 bits) and one check symbol, read aloud over the phone or typed from a
 * printout.
 *
 * The check symbol: the 13 symbols are read as coefficients in GF(32)
 * (polynomial x⁵ + x² + 1, primitive) and the check makes Σ sᵢ·x^(12−i) = 0.
 * A substitution changes the sum by e·xᵏ ≠ 0; swapping positions j < k changes
 * it by (a + b)(xʲ + xᵏ), which is 0 only when a = b or 31 divides k − j (x has
 * order 31). So every single substitution and every transposition, adjacent or
 * not, check symbol included, is caught, with the check drawn from the same
 * 32 symbols. Crockford's own mod-37 check would need the extra symbols
 * `*~$=U`, awkward to type and read; a plain mod-32 check cannot catch all
 * adjacent transpositions (no weights w, w′ make both w and w − w′ units mod 32).
 */

export const SERIAL_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DATA_LENGTH = 12;
const LENGTH = DATA_LENGTH + 1;
const VALUE = new Map([...SERIAL_ALPHABET].map((c, i) => [c, i]));
/** Longest input worth normalizing: a serial with generous spacing. */
const MAX_INPUT = 64;

/** Multiply by x in GF(2⁵) modulo x⁵ + x² + 1. */
const timesX = (v: number) => ((v << 1) & 0x20 ? ((v << 1) ^ 0x25) & 0x1f : v << 1);

/** Horner's rule over GF(32): the value of the symbols as a polynomial at x. */
function syndrome(values: readonly number[]): number {
  return values.reduce((acc, v) => timesX(acc) ^ v, 0);
}

/** The check symbol for 12 data symbols. */
export function serialCheckChar(data: string): string {
  if (data.length !== DATA_LENGTH || [...data].some((c) => !VALUE.has(c))) {
    throw new Error(`serial data must be ${DATA_LENGTH} Crockford base32 symbols`);
  }
  return SERIAL_ALPHABET[timesX(syndrome([...data].map((c) => VALUE.get(c)!)))];
}

/** `XXXXXXXXXXXXC` → `XXXX-XXXX-XXXX-C`. */
export function formatSerial(compact: string): string {
  return `${compact.slice(0, 4)}-${compact.slice(4, 8)}-${compact.slice(8, 12)}-${compact.slice(12)}`;
}

/** A fresh serial in canonical form. */
export function newSerial(): string {
  // 256 is a multiple of 32, so `byte & 31` is uniform.
  const data = [...randomBytes(DATA_LENGTH)].map((b) => SERIAL_ALPHABET[b & 31]).join('');
  return formatSerial(data + serialCheckChar(data));
}

/**
 * What the person meant, by the one typed-code normaliser (src/common/input/normalize.ts):
 * NFKC (full-width → ASCII), separators and the dashes input methods type
 * (ー, －, ‐ …) removed, upper case, I and L read as 1, O as 0. The result may
 * still be invalid (U, other symbols, wrong length); `parseSerial` decides.
 */
export function normalizeSerial(input: string): string {
  return String(normalizeTypedCode(input.slice(0, MAX_INPUT * 2)));
}

/** Thirteen serial symbols after normalization; the check symbol is not verified. */
export function isSerialShaped(input: unknown): input is string {
  if (typeof input !== 'string' || input.length > MAX_INPUT) return false;
  const n = normalizeSerial(input);
  return n.length === LENGTH && [...n].every((c) => VALUE.has(c));
}

export type ParsedSerial = { ok: true; serial: string } | { ok: false; reason: 'format' | 'checksum' };

/** The canonical `XXXX-XXXX-XXXX-C` form of what was typed, or why it is not a serial. */
export function parseSerial(input: unknown): ParsedSerial {
  if (!isSerialShaped(input)) return { ok: false, reason: 'format' };
  const n = normalizeSerial(input);
  if (syndrome([...n].map((c) => VALUE.get(c)!)) !== 0) return { ok: false, reason: 'checksum' };
  return { ok: true, serial: formatSerial(n) };
}
