import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomFillSync } from 'node:crypto';

/*
 * Field encryption at rest for personal data (Article 3-2 of the special
 * provisions: personal information protected by encryption). AES-256-GCM
 * (NIST SP 800-38D) with a 96-bit random IV per value, the column's name as
 * additional authenticated data (a value copied into another column does not
 * decrypt), and the key's id stored with each value so keys can rotate:
 *
 *   v1.<kid>.<iv>.<ciphertext>.<tag>      (each part base64url, RFC 4648 §5)
 *
 * Equality lookups (sign-in by e-mail, import by e-mail, unique constraints)
 * go through a blind index: HMAC-SHA256 (RFC 2104) of the normalised value
 * under a key derived with HKDF-SHA256 (RFC 5869) from the data key, so the
 * index key is never the encryption key. docs/data-protection.md.
 */

/**
 * IVs are drawn from a pool the CSPRNG refills (the same bytes `randomBytes`
 * would give): a CSV import encrypts several values a row, and one
 * `randomBytes(12)` call each cost more than the encryption itself (the
 * import's profile, README Performance). Random 96-bit IVs as SP 800-38D
 * §8.2.2 allows; each is used at once and never again.
 */
const IV_BYTES = 12;
const ivPool = Buffer.alloc(IV_BYTES * 512);
let ivOffset = ivPool.length;
function randomIv(): Buffer {
  if (ivOffset === ivPool.length) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  return ivPool.subarray(ivOffset, (ivOffset += IV_BYTES));
}

/** One 32-byte data key and its public id (no secret: a hash of the key). */
export interface DataKey {
  /** 11 characters of base64url: the first 64 bits of SHA-256("article4-lms data key" ‖ key). */
  kid: string;
  key: Buffer;
  /** The blind-index key derived from `key`. */
  indexKey: Buffer;
}

export class DataKeyError extends Error {}

/** Decrypted values kept per column (first in, first out): about 30 MB for a full column of names. */
const PLAIN_CACHE = 200_000;

const VALUE = /^v1\.([A-Za-z0-9_-]{11})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{22})$/;

/** The key's id: a fingerprint that names it in stored values, manifests and logs. Never the key. */
export function dataKeyId(key: Buffer): string {
  return createHash('sha256').update('article4-lms data key').update(key).digest().subarray(0, 8).toString('base64url');
}

/**
 * A data key from its 32 bytes.
 * @throws DataKeyError when the key is not 32 bytes
 */
export function dataKey(key: Buffer): DataKey {
  if (key.length !== 32) throw new DataKeyError('a data key is 32 bytes (base64 of 32 random bytes)');
  const indexKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'article4-lms blind index v1', 32));
  return { kid: dataKeyId(key), key, indexKey };
}

/**
 * The keys this process knows: one current key (encrypts, computes the blind
 * index written) and the older ones, still read during a rotation. Keys are
 * only added, never removed, while the process runs.
 */
export class DataKeyRing {
  private readonly keys = new Map<string, DataKey>();
  private readonly plain = new Map<string, Map<string, string>>();
  private currentKid: string | null = null;
  /** Called once when a value names an unknown key: another process may have rotated (re-reads the key files). */
  onUnknownKey: (() => void) | null = null;

  /** Adds keys; `current` (when given) becomes the key that encrypts. */
  add(keys: DataKey[], current?: DataKey): void {
    for (const k of keys) this.keys.set(k.kid, k);
    if (current) {
      this.keys.set(current.kid, current);
      this.currentKid = current.kid;
    }
  }

  get ready(): boolean {
    return this.currentKid !== null;
  }

  /** @throws DataKeyError when no key was installed (the database was used before its keys were loaded). */
  current(): DataKey {
    const k = this.currentKid && this.keys.get(this.currentKid);
    if (!k) throw new DataKeyError('no data encryption key is loaded');
    return k;
  }

  /** Whether the key is loaded (re-reading the key files once when it is not). */
  has(kid: string): boolean {
    try {
      this.find(kid);
      return true;
    } catch {
      return false;
    }
  }

  /** Every key, the current one first. */
  all(): DataKey[] {
    const current = this.current();
    return [current, ...[...this.keys.values()].filter((k) => k.kid !== current.kid)];
  }

  private find(kid: string): DataKey {
    let k = this.keys.get(kid);
    if (!k && this.onUnknownKey) {
      this.onUnknownKey();
      k = this.keys.get(kid);
    }
    if (!k) throw new DataKeyError(`a stored value is encrypted with data key ${kid}, which is not loaded`);
    return k;
  }

  /** `v1.<kid>.<iv>.<ct>.<tag>` of `plain` under the current key; `context` (the column) is authenticated, not stored. */
  encrypt(plain: string, context: string): string {
    const k = this.current();
    const iv = randomIv();
    const cipher = createCipheriv('aes-256-gcm', k.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1.${k.kid}.${iv.toString('base64url')}.${ct.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
  }

  /**
   * The plain text of a stored value. A value that is not in the `v1.` form is
   * returned as it is: a row written before encryption (the migration and
   * `keys:rotate-data` encrypt those).
   * @throws DataKeyError when the key is unknown or the value was altered (GCM tag mismatch)
   */
  decrypt(value: string, context: string): string {
    const m = VALUE.exec(value);
    if (!m) return value;
    let cache = this.plain.get(context);
    if (!cache) this.plain.set(context, (cache = new Map()));
    const hit = cache.get(value);
    if (hit !== undefined) return hit;
    const plain = this.open(m, context);
    // A bounded cache of what was decrypted, per column: a progress page of 100,000 workers decrypts their
    // names on every request otherwise. Process memory only (the threat here is the file,
    // docs/data-protection.md); a value is authenticated the first time, and a ciphertext has one plain
    // text under one context.
    if (cache.size >= PLAIN_CACHE) cache.delete(cache.keys().next().value!);
    cache.set(value, plain);
    return plain;
  }

  private open(m: RegExpExecArray, context: string): string {
    const k = this.find(m[1]);
    const decipher = createDecipheriv('aes-256-gcm', k.key, Buffer.from(m[2], 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(m[4], 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(m[3], 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new DataKeyError(`a stored ${context} value does not authenticate`);
    }
  }

  /** The key id a stored value is encrypted with; null for a plain (legacy) value. */
  static kidOf(value: string): string | null {
    return VALUE.exec(value)?.[1] ?? null;
  }

  /** The blind index written for `normalized` (already normalised by the caller): 43 characters of base64url. */
  blindIndex(normalized: string): string {
    return blindIndexUnder(this.current(), normalized);
  }

  /** The blind index under every known key: what a lookup matches while a rotation is under way. */
  blindIndexes(normalized: string): string[] {
    return this.all().map((k) => blindIndexUnder(k, normalized));
  }
}

function blindIndexUnder(k: DataKey, normalized: string): string {
  return createHmac('sha256', k.indexKey).update(normalized, 'utf8').digest('base64url');
}

/** The process's key ring, filled by `installDataKeys` (src/common/crypto/data-keys.ts) before the database opens. */
export const DATA_KEYS = new DataKeyRing();
