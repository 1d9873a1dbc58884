import { formatSerial, isSerialShaped, newSerial, normalizeSerial, parseSerial, SERIAL_ALPHABET, serialCheckChar } from './serial';

const compact = (s: string) => s.replace(/-/g, '');
const withCheck = (data: string) => formatSerial(data + serialCheckChar(data));

describe('newSerial', () => {
  it('is XXXX-XXXX-XXXX-C in Crockford base32 and parses back to itself', () => {
    for (let i = 0; i < 200; i++) {
      const s = newSerial();
      expect(s).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$/);
      expect(parseSerial(s)).toEqual({ ok: true, serial: s });
    }
  });

  it('draws 60 random bits: no repeats, every symbol used in every data position', () => {
    const seen = new Set<string>();
    const perPosition = Array.from({ length: 12 }, () => new Set<string>());
    for (let i = 0; i < 3000; i++) {
      const c = compact(newSerial());
      seen.add(c);
      [...c.slice(0, 12)].forEach((ch, p) => perPosition[p].add(ch));
    }
    expect(seen.size).toBe(3000);
    for (const symbols of perPosition) expect(symbols.size).toBe(32);
  });
});

describe('check symbol', () => {
  const samples = [
    ...Array.from({ length: 60 }, () => compact(newSerial())),
    '0000000000000',
    withCheck('ZZZZZZZZZZZZ').replace(/-/g, ''),
    withCheck('0123456789AB').replace(/-/g, ''),
  ];

  it('catches every single-symbol substitution, check symbol included', () => {
    let tried = 0;
    for (const s of samples) {
      for (let p = 0; p < s.length; p++) {
        for (const c of SERIAL_ALPHABET) {
          if (c === s[p]) continue;
          const typo = s.slice(0, p) + c + s.slice(p + 1);
          expect(parseSerial(typo)).toEqual({ ok: false, reason: 'checksum' });
          tried++;
        }
      }
    }
    expect(tried).toBe(samples.length * 13 * 31);
  });

  it('catches every transposition of two different symbols, adjacent or not, check symbol included', () => {
    for (const s of samples) {
      for (let i = 0; i < s.length; i++) {
        for (let j = i + 1; j < s.length; j++) {
          if (s[i] === s[j]) continue;
          const swapped = [...s];
          [swapped[i], swapped[j]] = [swapped[j], swapped[i]];
          expect(parseSerial(swapped.join(''))).toEqual({ ok: false, reason: 'checksum' });
        }
      }
    }
  });

  it('catches every adjacent transposition for all symbol pairs at every position', () => {
    // The code is linear, so the other symbols do not matter: try all 32×31 ordered pairs everywhere.
    const base = compact(newSerial()).slice(0, 12);
    for (let p = 0; p < 11; p++) {
      for (const a of SERIAL_ALPHABET) {
        for (const b of SERIAL_ALPHABET) {
          if (a === b) continue;
          const data = base.slice(0, p) + a + b + base.slice(p + 2);
          const swapped = base.slice(0, p) + b + a + base.slice(p + 2);
          expect(parseSerial(swapped + serialCheckChar(data))).toEqual({ ok: false, reason: 'checksum' });
        }
      }
    }
    // The last data symbol and the check symbol.
    for (const a of SERIAL_ALPHABET) {
      const data = base.slice(0, 11) + a;
      const check = serialCheckChar(data);
      if (check !== a) expect(parseSerial(data.slice(0, 11) + check + a).ok).toBe(false);
    }
  });

  it('rejects bad data lengths', () => {
    expect(() => serialCheckChar('ABC')).toThrow();
    expect(() => serialCheckChar('UUUUUUUUUUUU')).toThrow();
  });
});

describe('normalizeSerial and parseSerial', () => {
  const serial = withCheck('1A0B4C5D6E7F');

  it('accepts what people type: lower case, spaces, other dashes, full width, I/L/O', () => {
    const c = compact(serial);
    const variants = [
      c,
      c.toLowerCase(),
      `${c.slice(0, 4)} ${c.slice(4, 8)} ${c.slice(8, 12)} ${c.slice(12)}`,
      serial.replace(/-/g, 'ー'),
      serial.replace(/-/g, '\u2212'),
      serial.replace(/-/g, '–'),
      serial.normalize('NFKC').replace(/[0-9A-Z-]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)),
      c.replace(/1/g, 'I').replace(/0/g, 'O'),
      c.replace(/1/g, 'l').replace(/0/g, 'o'),
      `  ${serial}\n`,
    ];
    for (const v of variants) expect(parseSerial(v)).toEqual({ ok: true, serial });
  });

  it('normalizes without validating', () => {
    expect(normalizeSerial('ab-cd ｉｌｏ')).toBe('ABCD110');
    expect(normalizeSerial('xu')).toBe('XU');
  });

  it('says format for wrong length, U or other symbols, non-strings, and checksum for a typo', () => {
    const c = compact(serial);
    expect(parseSerial(c.slice(1))).toEqual({ ok: false, reason: 'format' });
    expect(parseSerial(c + '0')).toEqual({ ok: false, reason: 'format' });
    expect(parseSerial('U' + c.slice(1))).toEqual({ ok: false, reason: 'format' });
    expect(parseSerial(c.slice(0, 12) + '*')).toEqual({ ok: false, reason: 'format' });
    expect(parseSerial('')).toEqual({ ok: false, reason: 'format' });
    expect(parseSerial(undefined)).toEqual({ ok: false, reason: 'format' });
    expect(parseSerial('x'.repeat(10_000))).toEqual({ ok: false, reason: 'format' });
    const typo = c.slice(0, 5) + (c[5] === 'Z' ? 'Y' : 'Z') + c.slice(6);
    expect(parseSerial(typo)).toEqual({ ok: false, reason: 'checksum' });
  });

  it('isSerialShaped ignores the check symbol', () => {
    const c = compact(serial);
    expect(isSerialShaped(serial)).toBe(true);
    expect(isSerialShaped(c.slice(0, 12) + (c[12] === '0' ? '1' : '0'))).toBe(true);
    expect(isSerialShaped('ABCD')).toBe(false);
    expect(isSerialShaped(42)).toBe(false);
  });
});
