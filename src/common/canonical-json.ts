import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level and no white space (the
 * RFC 8785 shape for data made of strings, integers, booleans and null), so
 * the same data always gives the same bytes and the same digest.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
