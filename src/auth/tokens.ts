import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../common/canonical-json';
import { normalizeTypedCode } from '../common/input/normalize';

export const ENROLLMENT_CODE_DAYS = 30;

/** Session tokens: 256 random bits. */
export const newToken = () => randomBytes(32).toString('base64url');

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Enrollment codes: 20 Crockford base32 characters (100 bits) in groups of
 * four, easy to read aloud or type from paper. Normalized before hashing by
 * the one typed-code normaliser (src/common/input/normalize.ts), so full
 * width, lower case, I/L/O confusions, missing dashes and the dashes input
 * methods type instead (ー, －, ‐ …) still match.
 */
export function newEnrollmentCode(): string {
  const bytes = randomBytes(20);
  const chars = Array.from(bytes, (b) => CROCKFORD[b & 31]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

/** A code as it is printed (`ABCD-EFGH-…`), however it was typed: its normalized form in groups of four. */
export const printedEnrollmentCode = (code: string) => (String(normalizeTypedCode(code)).match(/.{1,4}/g) ?? []).join('-');

/** How a code is stored and looked up: the hash of its normalized form. */
export const enrollmentCodeHash = (code: string) => sha256Hex(String(normalizeTypedCode(code)));

/** A fresh code, in the clear only in this answer, with what to store for it. */
export function issueEnrollmentCode(now = new Date()): { code: string; hash: string; expiresAt: Date } {
  const code = newEnrollmentCode();
  return { code, hash: enrollmentCodeHash(code), expiresAt: new Date(now.getTime() + ENROLLMENT_CODE_DAYS * 86400_000) };
}

/** A password-reset link (and its code) is valid this long (OWASP Forgot Password Cheat Sheet: short-lived). */
export const PASSWORD_RESET_MINUTES = 30;
/** A link that proves an address, or an invitation to be a manager, is valid this long. */
export const ADDRESS_PROOF_DAYS = 7;
export const MANAGER_INVITATION_DAYS = 14;

/**
 * A code sent by e-mail (a password reset, an address proof, an invitation):
 * the same shape, normaliser and hash as enrollment codes, so it can be
 * clicked in the link or typed from the message, valid for `ms`.
 */
export function issueEmailCode(ms: number, now = new Date()): { code: string; hash: string; expiresAt: Date } {
  const code = newEnrollmentCode();
  return { code, hash: enrollmentCodeHash(code), expiresAt: new Date(now.getTime() + ms) };
}
