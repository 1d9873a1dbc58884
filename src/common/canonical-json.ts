import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level and no white space (the
 * RFC 8785 shape for data made of strings, integers, booleans and null), so
 * the same value always gives the same bytes and the same digest. The audit
 * chain and the Article 11 report digest both depend on these exact bytes:
 * never change the output for data that already serializes.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value ?? null);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

export const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
