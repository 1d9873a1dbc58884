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
});
