import { isEmail } from 'class-validator';
import { hasLoneSurrogate } from './unicode';

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
 * What people and input methods type between the groups of a code: white space,
 * every dash (Unicode General Category Pd: U+2010–U+2015, U+301C, U+FE58, …),
 * the minus sign U+2212, the katakana prolonged sound mark ー U+30FC and its
 * half-width ｰ U+FF70 (NFKC maps it to ー), the full-width hyphen-minus －
 * U+FF0D (NFKC maps it to "-"), the hyphen bullet U+2043, underscores and dots.
 */
const CODE_SEPARATORS = /[\s\p{Pd}\u2212\u2043\u30fc\uff70_.・]/gu;

/**
 * Longest input worth normalising: twice the longest code we issue with
 * generous spacing. Longer input is returned as it is, for the field's
 * length rule to refuse it without spending work on it.
 */
export const TYPED_CODE_MAX_INPUT = 128;

/**
 * The one normaliser for codes a person types from paper or reads aloud:
 * enrollment codes, certificate serials, and password-reset codes to come.
 * NFKC (full width → ASCII), separators removed (see CODE_SEPARATORS), upper
 * case, then Crockford base32's reading of look-alikes: I and L are 1, O is 0
 * (https://www.crockford.com/base32.html). `ABCD－efgh ｰ jk1m` → `ABCDEFGHJK1M`.
 * The result may still be no valid code; the code's owner decides.
 */
export function normalizeTypedCode<T>(value: T): T | string {
  if (typeof value !== 'string' || value.length > TYPED_CODE_MAX_INPUT || hasLoneSurrogate(value)) return value;
  return value.normalize('NFKC').replace(CODE_SEPARATORS, '').toUpperCase().replace(/[IL]/g, '1').replace(/O/g, '0');
}

/** NFKC and trimmed, for identifiers people type in full width by accident (digits of a corporate number, an employee number). */
export function normalizeIdentifier<T>(value: T): T | string {
  if (typeof value !== 'string' || hasLoneSurrogate(value)) return value;
  return value.normalize('NFKC').trim();
}
