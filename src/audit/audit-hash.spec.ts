import { canonicalJson, eventHash, GENESIS_HASH, HashedFields } from './audit-hash';

const fields: HashedFields = {
  id: '3f0e4d8a-5d1c-4d39-9d7e-2a1c2b3c4d5e',
  seq: 1,
  occurredAt: '2026-11-25T01:02:03.004Z',
  actorId: null,
  actorRole: 'anonymous',
  action: 'auth.sign_in_failed',
  targetType: 'user',
  targetId: null,
  engagementId: null,
  details: '{"reason":"unknown_account"}',
  prevHash: GENESIS_HASH,
};

describe('canonicalJson', () => {
  it('is stable under key order, at every level', () => {
    const a = { b: 1, a: { y: [3, { q: 1, p: 2 }], x: 'z' }, c: null };
    const b = { c: null, a: { x: 'z', y: [3, { p: 2, q: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"x":"z","y":[3,{"p":2,"q":1}]},"b":1,"c":null}');
  });

  it('keeps array order, drops undefined keys and escapes like JSON', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson({ a: undefined, b: '"\n府中' })).toBe('{"b":"\\"\\n府中"}');
  });

  it('refuses numbers JSON cannot carry', () => {
    expect(() => canonicalJson({ n: NaN })).toThrow(TypeError);
  });
});

describe('eventHash', () => {
  it('is hex SHA-256 and the same whatever order the fields were given in', () => {
    const reversed = Object.fromEntries(Object.entries(fields).reverse()) as unknown as HashedFields;
    expect(eventHash(fields)).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash(reversed)).toBe(eventHash(fields));
  });

  it('changes with any field, prev_hash included', () => {
    const base = eventHash(fields);
    for (const [k, v] of Object.entries({ seq: 2, details: '{"reason":"locked"}', prevHash: 'f'.repeat(64), actorId: 'x', targetId: 'y' }))
      expect(eventHash({ ...fields, [k]: v })).not.toBe(base);
  });

  it('ignores properties that are not event fields', () => {
    expect(eventHash({ ...fields, hash: 'ignored' } as HashedFields)).toBe(eventHash(fields));
  });
});
