import { gunzipSync, gzipSync } from 'node:zlib';

/*
 * W3C Bitstring Status List v1.0 (revocation). The bits are kept as base64 in
 * `status_lists.bits`; bit i is byte i >> 3, most significant bit first, as
 * the specification orders them ("the first index is the left-most bit").
 */

/** 2¹⁷ entries, the specification's minimum (16 KiB): small lists would let observers correlate holders. */
export const STATUS_LIST_SIZE = 131072;
/** Refuse to inflate more than this from an `encodedList` (a gzip bomb guard for verifiers). */
const MAX_DECODED_BYTES = 16 * 1024 * 1024;

export class StatusListError extends Error {}

const bytesOf = (bits: string | Uint8Array): Buffer =>
  typeof bits === 'string' ? Buffer.from(bits, 'base64') : Buffer.from(bits.buffer, bits.byteOffset, bits.byteLength);

function checkIndex(bytes: Buffer, index: number) {
  if (!Number.isInteger(index) || index < 0 || index >= bytes.length * 8) {
    throw new StatusListError(`status index ${index} is outside the list (size ${bytes.length * 8})`);
  }
}

/** An all-zero list of `size` bits, base64. */
export function emptyBits(size: number = STATUS_LIST_SIZE): string {
  if (!Number.isInteger(size) || size <= 0 || size % 8 !== 0) throw new StatusListError('size must be a positive multiple of 8');
  return Buffer.alloc(size / 8).toString('base64');
}

/** A copy of the list with bit `index` set to `value`, base64. */
export function setBit(bitsB64: string, index: number, value: boolean): string {
  const bytes = Buffer.from(bitsB64, 'base64');
  checkIndex(bytes, index);
  const mask = 0x80 >> (index % 8);
  bytes[index >> 3] = value ? bytes[index >> 3] | mask : bytes[index >> 3] & ~mask;
  return bytes.toString('base64');
}

/** Bit `index` of a list given as base64 or as raw bytes (what `decodeEncodedList` returns). */
export function getBit(bits: string | Uint8Array, index: number): boolean {
  const bytes = bytesOf(bits);
  checkIndex(bytes, index);
  return (bytes[index >> 3] & (0x80 >> (index % 8))) !== 0;
}

/** The `encodedList`: multibase base64url without padding (prefix `u`) of the GZIP-compressed bits. */
export function encodedList(bitsB64: string): string {
  return 'u' + gzipSync(Buffer.from(bitsB64, 'base64'), { level: 9 }).toString('base64url');
}

/** The raw bits of an `encodedList`. */
export function decodeEncodedList(encoded: string): Buffer {
  if (typeof encoded !== 'string' || !encoded.startsWith('u') || !/^[A-Za-z0-9_-]+$/.test(encoded.slice(1))) {
    throw new StatusListError('encodedList must be multibase base64url (prefix "u")');
  }
  try {
    return gunzipSync(Buffer.from(encoded.slice(1), 'base64url'), { maxOutputLength: MAX_DECODED_BYTES });
  } catch {
    throw new StatusListError('encodedList is not GZIP data');
  }
}

export interface StatusListCredentialInput {
  /** URL of the status list credential, e.g. `${base}/api/v1/status-lists/${id}`. */
  id: string;
  issuer: string | { id: string; [member: string]: unknown };
  validFrom: Date | string;
  validUntil?: Date | string;
  encodedList: string;
}

const isoInstant = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString().replace(/\.000Z$/, 'Z'));

/** The VC 2.0 `BitstringStatusListCredential` payload (sign it as vc+jwt). */
export function statusListCredential(input: StatusListCredentialInput) {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: input.id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: input.issuer,
    validFrom: isoInstant(input.validFrom),
    ...(input.validUntil ? { validUntil: isoInstant(input.validUntil) } : {}),
    credentialSubject: {
      id: `${input.id}#list`,
      type: 'BitstringStatusList',
      statusPurpose: 'revocation',
      encodedList: input.encodedList,
    },
  };
}
