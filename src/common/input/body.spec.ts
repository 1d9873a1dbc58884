import { DomainError } from '../errors/domain-error';
import { MAX_JSON_DEPTH, parseFormBody, parseJsonBody } from './body';

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error('not refused');
};

describe('parseJsonBody', () => {
  it('parses JSON objects, with or without a BOM', () => {
    expect(parseJsonBody(Buffer.from('{"email":"a@b.jp","n":[1,{"x":"山田"}]}'))).toEqual({ email: 'a@b.jp', n: [1, { x: '山田' }] });
    expect(parseJsonBody(Buffer.from('\uFEFF{"a":1}'))).toEqual({ a: 1 });
  });

  it('refuses an array nested 5,000 deep before building it', () => {
    expect(refusal(() => parseJsonBody(Buffer.from('['.repeat(5000) + ']'.repeat(5000))))).toEqual({
      code: 'input.too_deep',
      field: 'body',
    });
    const ok = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    expect(parseJsonBody(Buffer.from(ok))).toBeDefined();
    // Brackets inside strings do not count.
    expect(parseJsonBody(Buffer.from(JSON.stringify({ a: '['.repeat(100) + '\\"' })))).toEqual({ a: '['.repeat(100) + '\\"' });
  });

  it('refuses lone surrogates in values and keys, naming the field', () => {
    expect(refusal(() => parseJsonBody(Buffer.from('{"email":"\\ud800","password":"x"}')))).toEqual({
      code: 'input.lone_surrogate',
      field: 'email',
    });
    expect(refusal(() => parseJsonBody(Buffer.from('{"answers":[{"choiceIds":["a","\\udfff"]}]}')))).toEqual({
      code: 'input.lone_surrogate',
      field: 'answers[0].choiceIds[1]',
    });
    expect(refusal(() => parseJsonBody(Buffer.from('{"\\ud800":1}')))).toEqual({ code: 'input.lone_surrogate', field: '(key)' });
    expect(parseJsonBody(Buffer.from('{"name":"\\ud842\\udfb7田"}'))).toEqual({ name: '𠮷田' });
  });

  it('refuses prototype keys anywhere', () => {
    expect(refusal(() => parseJsonBody(Buffer.from('{"__proto__":{"admin":true}}')))).toEqual({
      code: 'input.forbidden_key',
      field: '__proto__',
    });
    expect(refusal(() => parseJsonBody(Buffer.from('{"a":[{"constructor":{"prototype":1}}]}')))).toEqual({
      code: 'input.forbidden_key',
      field: 'a[0].constructor',
    });
  });

  it('refuses what is not UTF-8 or not JSON, without quoting it', () => {
    expect(refusal(() => parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d])))).toEqual({ code: 'input.not_utf8', field: 'body' });
    expect(refusal(() => parseJsonBody(Buffer.from('{"email":yamada@example.jp}')))).toEqual({
      code: 'input.malformed_json',
      field: 'body',
    });
    expect(refusal(() => parseJsonBody(Buffer.alloc(0)))).toEqual({ code: 'input.malformed_json', field: 'body' });
  });
});

describe('parseFormBody', () => {
  it('decodes a browser form, repeated names as arrays, into an object without prototype', () => {
    const form = parseFormBody(Buffer.from('name=%E5%B1%B1%E7%94%B0+%E5%A4%AA%E9%83%8E&workerIds=a&workerIds=b&empty=&flag'));
    expect({ ...form }).toEqual({ name: '山田 太郎', workerIds: ['a', 'b'], empty: '', flag: '' });
    expect(Object.getPrototypeOf(form)).toBeNull();
  });

  it('refuses percent-escapes that are not UTF-8 (a lone surrogate) and prototype keys', () => {
    expect(refusal(() => parseFormBody(Buffer.from('email=%ED%A0%80&password=x')))).toEqual({
      code: 'input.malformed_form',
      field: 'body',
    });
    expect(refusal(() => parseFormBody(Buffer.from('email=%ZZ')))).toEqual({ code: 'input.malformed_form', field: 'body' });
    expect(refusal(() => parseFormBody(Buffer.from('__proto__=x')))).toEqual({ code: 'input.forbidden_key', field: '__proto__' });
  });
});
