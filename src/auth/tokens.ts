import { createHash, randomBytes } from 'node:crypto';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Session tokens: 256 random bits. */
export const newToken = () => randomBytes(32).toString('base64url');

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Enrollment codes: 20 Crockford base32 characters (100 bits) in groups of
 * four, easy to read aloud or type from paper. Normalized before hashing, so
 * lower case, I/L/O confusions and missing dashes still match.
 */
export function newEnrollmentCode(): string {
  const bytes = randomBytes(20);
  const chars = Array.from(bytes, (b) => CROCKFORD[b & 31]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

export function normalizeEnrollmentCode(code: string): string {
  return code.normalize('NFKC').toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}
