import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { MessageKey } from '../common/i18n/words';

/*
 * A one-time message carried across the redirect after a form (post →
 * 303 → get), e.g. "worker added, enrollment code …" or an import summary.
 * It lives in a short-lived cookie, sealed with AES-256-GCM under a key
 * derived from the session token: it may hold personal data (a name, a
 * one-time enrollment code) that must not sit readable in a cookie jar or a
 * proxy log, and only this server can have written it. Read once, then cleared.
 */
export const FLASH_COOKIE = 'a4_flash';
export const FLASH_SECONDS = 300;

export interface Flash {
  kind: 'success' | 'error' | 'info';
  /** An i18n key and its parameters, so the message follows a language switch. */
  key: MessageKey;
  params?: Record<string, string | number>;
  /** Structured extras for a page (an enrollment code, an import summary). */
  data?: Record<string, unknown>;
}

const keyFor = (sessionToken: string) => createHmac('sha256', sessionToken).update('a4-flash-v1').digest();

export function sealFlash(sessionToken: string, flash: Flash): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(sessionToken), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(flash), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function openFlash(sessionToken: string, sealed: string): Flash | null {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 29) return null;
    const decipher = createDecipheriv('aes-256-gcm', keyFor(sessionToken), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as Flash;
  } catch {
    return null; // tampered, from an earlier session, or garbage: ignore
  }
}
