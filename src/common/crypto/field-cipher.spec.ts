import { randomBytes } from 'node:crypto';
import { dataKey, DataKeyError, DataKeyRing } from './field-cipher';

describe('field cipher (AES-256-GCM with key ids)', () => {
  const k1 = dataKey(randomBytes(32));
  const k2 = dataKey(randomBytes(32));

  it('round-trips, with a fresh IV each time and the key id in the value', () => {
    const ring = new DataKeyRing();
    ring.add([], k1);
    const a = ring.encrypt('山田　太郎', 'workers.name');
    const b = ring.encrypt('山田　太郎', 'workers.name');
    expect(a).not.toBe(b);
    expect(a).toMatch(new RegExp(`^v1\\.${k1.kid}\\.`));
    expect(DataKeyRing.kidOf(a)).toBe(k1.kid);
    expect(ring.decrypt(a, 'workers.name')).toBe('山田　太郎');
    expect(ring.decrypt('', 'workers.name')).toBe('');
    expect(ring.decrypt(ring.encrypt('', 'x'), 'x')).toBe('');
  });

  it('refuses a value moved to another column or altered', () => {
    const ring = new DataKeyRing();
    ring.add([], k1);
    const v = ring.encrypt('a@example.jp', 'users.email');
    expect(() => ring.decrypt(v, 'workers.email')).toThrow(DataKeyError);
    const parts = v.split('.');
    parts[3] = parts[3].slice(0, -1) + (parts[3].endsWith('A') ? 'B' : 'A');
    expect(() => ring.decrypt(parts.join('.'), 'users.email')).toThrow(DataKeyError);
  });

  it('reads values under an older key; blind indexes differ per key and are deterministic', () => {
    const ring = new DataKeyRing();
    ring.add([], k1);
    const old = ring.encrypt('x', 'c');
    ring.add([], k2);
    expect(ring.current().kid).toBe(k2.kid);
    expect(ring.decrypt(old, 'c')).toBe('x');
    expect(ring.blindIndex('a@example.jp')).toBe(ring.blindIndex('a@example.jp'));
    expect(ring.blindIndexes('a@example.jp')).toHaveLength(2);
    expect(new Set(ring.blindIndexes('a@example.jp')).size).toBe(2);
    expect(ring.blindIndex('a@example.jp')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('names an unknown key without revealing anything, and passes plain (legacy) values through', () => {
    const other = new DataKeyRing();
    other.add([], k2);
    const ring = new DataKeyRing();
    ring.add([], k1);
    expect(() => ring.decrypt(other.encrypt('secret name', 'c'), 'c')).toThrow(/not loaded/);
    expect(ring.decrypt('plain@example.jp', 'c')).toBe('plain@example.jp');
    expect(() => dataKey(randomBytes(16))).toThrow(DataKeyError);
  });
});
