import { gunzipSync } from 'node:zlib';
import {
  decodeEncodedList,
  emptyBits,
  encodedList,
  getBit,
  setBit,
  STATUS_LIST_SIZE,
  StatusListError,
  statusListCredential,
} from './status-list';

describe('bitstring status list', () => {
  it('is at least 131,072 entries and starts all zero', () => {
    expect(STATUS_LIST_SIZE).toBeGreaterThanOrEqual(131072);
    const bits = emptyBits();
    expect(Buffer.from(bits, 'base64')).toHaveLength(STATUS_LIST_SIZE / 8);
    expect(getBit(bits, 0)).toBe(false);
    expect(getBit(bits, STATUS_LIST_SIZE - 1)).toBe(false);
  });

  it('sets and clears single bits, most significant bit of byte 0 first', () => {
    let bits = emptyBits(64);
    bits = setBit(bits, 0, true);
    expect(Buffer.from(bits, 'base64')[0]).toBe(0x80);
    bits = setBit(bits, 7, true);
    bits = setBit(bits, 9, true);
    expect([...Buffer.from(bits, 'base64').subarray(0, 2)]).toEqual([0x81, 0x40]);
    expect([0, 1, 7, 8, 9, 10].map((i) => getBit(bits, i))).toEqual([true, false, true, false, true, false]);
    bits = setBit(bits, 0, false);
    bits = setBit(bits, 9, true); // idempotent
    expect([...Buffer.from(bits, 'base64').subarray(0, 2)]).toEqual([0x01, 0x40]);
  });

  it('rejects indexes outside the list and odd sizes', () => {
    const bits = emptyBits(16);
    for (const i of [-1, 16, 1.5, NaN]) {
      expect(() => setBit(bits, i, true)).toThrow(StatusListError);
      expect(() => getBit(bits, i)).toThrow(StatusListError);
    }
    expect(() => emptyBits(12)).toThrow(StatusListError);
    expect(() => emptyBits(0)).toThrow(StatusListError);
  });

  it('encodes as multibase base64url (u) of gzip, and decodes back', () => {
    let bits = emptyBits();
    for (const i of [0, 1, 4242, 65535, STATUS_LIST_SIZE - 1]) bits = setBit(bits, i, true);
    const encoded = encodedList(bits);
    expect(encoded).toMatch(/^u[A-Za-z0-9_-]+$/);
    // Plain gzip, as any verifier would read it.
    expect(gunzipSync(Buffer.from(encoded.slice(1), 'base64url')).toString('base64')).toBe(bits);
    const decoded = decodeEncodedList(encoded);
    expect(decoded).toHaveLength(STATUS_LIST_SIZE / 8);
    for (const i of [0, 1, 4242, 65535, STATUS_LIST_SIZE - 1]) expect(getBit(decoded, i)).toBe(true);
    for (const i of [2, 4241, 4243, 65534, STATUS_LIST_SIZE - 2]) expect(getBit(decoded, i)).toBe(false);
  });

  it('keeps an empty 131,072-bit list short', () => {
    expect(encodedList(emptyBits()).length).toBeLessThan(200);
  });

  it('refuses encodedLists that are not multibase gzip', () => {
    expect(() => decodeEncodedList('zabc')).toThrow(StatusListError);
    expect(() => decodeEncodedList('u!!')).toThrow(StatusListError);
    expect(() => decodeEncodedList('u' + Buffer.from('not gzip').toString('base64url'))).toThrow(StatusListError);
  });

  it('builds the BitstringStatusListCredential payload', () => {
    const url = 'https://lms.example.jp/api/v1/status-lists/5f0c';
    const list = encodedList(emptyBits());
    expect(
      statusListCredential({
        id: url,
        issuer: { id: 'https://lms.example.jp', name: 'x' },
        validFrom: new Date('2026-11-25T01:02:03Z'),
        encodedList: list,
      }),
    ).toEqual({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: url,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: { id: 'https://lms.example.jp', name: 'x' },
      validFrom: '2026-11-25T01:02:03Z',
      credentialSubject: {
        id: `${url}#list`,
        type: 'BitstringStatusList',
        statusPurpose: 'revocation',
        encodedList: list,
      },
    });
  });
});
