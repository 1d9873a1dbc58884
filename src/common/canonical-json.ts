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
  // Loops and one array of keys sorted in place, not chains of sort/filter/map: the Article 11 report
  // serializes 100,000 workers and their modules, and every temporary array of those chains was garbage
  // that V8 pretenured into the old generation (issue 17, a sampling heap profile of the export).
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      // As map/join wrote them: a hole, and what JSON cannot write (a function, a symbol), as nothing.
      const item = i in value ? (value[i] === undefined ? 'null' : canonicalJson(value[i])) : '';
      out += (i ? ',' : '') + (item ?? '');
    }
    return out + ']';
  }
  const keys = sortInPlace(Object.keys(value));
  let out = '{';
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    out += (out.length > 1 ? ',' : '') + JSON.stringify(k) + ':' + canonicalJson(v);
  }
  return out + '}';
}

/** Array.prototype.sort's default order (UTF-16 code units), by insertion: an object has a handful of keys. */
function sortInPlace(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > k; j--) keys[j + 1] = keys[j];
    keys[j + 1] = k;
  }
  return keys;
}

export const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
