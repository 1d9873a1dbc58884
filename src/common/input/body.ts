import { DomainError } from '../errors/domain-error';
import { hasLoneSurrogate } from './unicode';

/*
 * Request bodies, checked as a whole before any route sees them: size (by
 * Fastify, limits below), UTF-8, syntax, nesting depth, keys that would reach
 * an object's prototype, and well-formed Unicode in every key and string.
 * Field rules (control characters, lengths, formats) are the DTOs' (fields.ts).
 * Docs: docs/inputs.md.
 */

/** JSON and form bodies. */
export const BODY_LIMIT = 1024 * 1024;
/** CSV uploads (text/csv, application/octet-stream). */
export const CSV_BODY_LIMIT = 20 * 1024 * 1024;
/**
 * Deepest nesting of arrays and objects a JSON body may have. Our deepest body
 * (a quiz submission, `{answers:[{choiceIds:[…]}]}`) has 3; deeper input only
 * serves to exhaust a recursive walker (class-transformer threw RangeError at 5,000).
 */
export const MAX_JSON_DEPTH = 16;
/** Most fields a form body may have (a quiz page has 20 questions, the assignment form one field per worker). */
export const MAX_FORM_FIELDS = 10_000;
/** Keys no body may have: they would reach or replace an object's prototype in code that merges objects. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A path for error details: `answers[0].choiceIds[1]`; keys that are not plain names are not echoed. */
function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const safe = /^[A-Za-z_$][A-Za-z0-9_$-]{0,63}$/.test(key) ? key : '(key)';
  return parent ? `${parent}.${safe}` : safe;
}

/**
 * Refuses nesting deeper than MAX_JSON_DEPTH by scanning the bytes before
 * anything is built from them: O(n), no recursion.
 */
function checkJsonDepth(buf: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (inString) {
      if (b === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) throw new DomainError('input.too_deep', { max: MAX_JSON_DEPTH }, 'body');
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
}

/**
 * Walks a parsed body without recursion: every key and string must be
 * well-formed Unicode, and no key may be one of FORBIDDEN_KEYS.
 * @throws DomainError input.lone_surrogate | input.forbidden_key, naming the field
 */
export function checkParsedBody(root: unknown): void {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (hasLoneSurrogate(value)) throw new DomainError('input.lone_surrogate', {}, path || 'body');
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push([value[i], childPath(path, i)]);
    } else if (value !== null && typeof value === 'object') {
      for (const key of Object.keys(value)) {
        const at = childPath(path, key);
        if (hasLoneSurrogate(key)) throw new DomainError('input.lone_surrogate', {}, at);
        if (FORBIDDEN_KEYS.has(key)) throw new DomainError('input.forbidden_key', {}, at);
        stack.push([(value as Record<string, unknown>)[key], at]);
      }
    }
  }
}

/**
 * `application/json`: UTF-8 (RFC 8259 §8.1; a BOM is tolerated), depth-checked,
 * parsed, then walked (checkParsedBody).
 * @throws DomainError input.not_utf8 | input.too_deep | input.malformed_json | input.lone_surrogate | input.forbidden_key (400)
 */
export function parseJsonBody(buf: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    throw new DomainError('input.not_utf8', {}, 'body');
  }
  checkJsonDepth(buf);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message quotes the body; it is not passed on.
    throw new DomainError('input.malformed_json', {}, 'body');
  }
  checkParsedBody(value);
  return value;
}

/**
 * `application/x-www-form-urlencoded` as browsers send it (WHATWG URL
 * Standard §5.1, UTF-8), but strict: a percent-escape that is not UTF-8
 * (`%ED%A0%80`, a lone surrogate) is refused instead of being kept literally
 * or replaced. A repeated name gives an array, as checkboxes need.
 * @returns an object without prototype, name → string | string[]
 * @throws DomainError input.not_utf8 | input.malformed_form | input.too_many_fields | input.forbidden_key (400)
 */
export function parseFormBody(buf: Buffer): Record<string, string | string[]> {
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    throw new DomainError('input.not_utf8', {}, 'body');
  }
  const out: Record<string, string | string[]> = Object.create(null);
  let fields = 0;
  for (const pair of text.split('&')) {
    if (!pair) continue;
    if (++fields > MAX_FORM_FIELDS) throw new DomainError('input.too_many_fields', { max: MAX_FORM_FIELDS }, 'body');
    const eq = pair.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      throw new DomainError('input.malformed_form', {}, 'body');
    }
    if (FORBIDDEN_KEYS.has(name)) throw new DomainError('input.forbidden_key', {}, childPath('', name));
    const had = out[name];
    if (had === undefined) out[name] = value;
    else if (Array.isArray(had)) had.push(value);
    else out[name] = [had, value];
  }
  return out;
}
