import { canonicalJson, sha256Hex } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: null, y: '府中' }], c: true }, u: undefined })).toBe(
      '{"a":{"c":true,"d":[2,{"y":"府中","z":null}]},"b":1}',
    );
  });
  it('gives the same digest whatever the key order', () => {
    expect(sha256Hex(canonicalJson({ x: 1, y: 2 }))).toBe(sha256Hex(canonicalJson({ y: 2, x: 1 })));
    expect(sha256Hex(canonicalJson({ x: 1, y: 2 }))).not.toBe(sha256Hex(canonicalJson({ x: 1, y: 3 })));
  });
  it('writes exactly the bytes of the first implementation (sort, filter, map chains), which stored digests depend on', () => {
    // The first implementation, kept as the reference: the audit chain and issued reports hash its output.
    const reference = (value: unknown): string => {
      if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : reference(v))).join(',')}]`;
      const entries = Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => `${JSON.stringify(k)}:${reference((value as Record<string, unknown>)[k])}`);
      return `{${entries.join(',')}}`;
    };
    const samples: unknown[] = [
      {},
      [],
      [undefined, null, 0, -1.5, '', '\u2028"\\'],
      { u: undefined },
      { u: undefined, a: 1 },
      { 10: 'a', 2: 'b', '1': 'c', b: 'd', B: 'e', _: 'f', '': 'g', é: 'h', 府中: 'i', '\ud83d\ude00': 'j', ｱ: 'k' },
      {
        workerId: 'w',
        name: '元請　一郎',
        modules: [
          { revision: 2, moduleId: 'm1' },
          { moduleId: 'm2', revision: 1 },
        ],
        validUntil: null,
      },
      { z: { y: { x: [{ c: true, b: false, a: [[], {}] }] } }, a: 'first' },
      // eslint-disable-next-line no-sparse-arrays
      [1, , 3],
      [() => 1, Symbol('s'), 2],
      { f: () => 1 },
    ];
    for (const v of samples) expect(canonicalJson(v)).toBe(reference(v));
  });
});
