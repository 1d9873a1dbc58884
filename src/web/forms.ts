import { HttpException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { DomainError } from '../common/errors/domain-error';
import type { Lang } from '../content/content.types';
import { t } from './i18n';

export type FieldErrors = Record<string, string>;
export type FormBody = Record<string, unknown>;

/**
 * A form field as one string, '' if missing. A form that repeats it, or a
 * JSON body that gives it another type (a number, a list, an object), is not
 * what any of our pages sends: 400 input.wrong_type naming the field, rather
 * than a guess at which value was meant.
 */
export function str(body: FormBody | undefined, name: string): string {
  const v = Buffer.isBuffer(body) ? undefined : body?.[name];
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  throw new DomainError('input.wrong_type', {}, name);
}

/**
 * A single checkbox: ticked when it sends its `value`, not ticked when absent
 * or empty. Any other value is not what the page sends: 400 input.wrong_type.
 */
export function tick(body: FormBody | undefined, name: string, value = 'yes'): boolean {
  const v = str(body, name);
  if (v === '') return false;
  if (v === value) return true;
  throw new DomainError('input.wrong_type', {}, name);
}

/** A repeatable field (checkboxes) as a list of strings; anything but strings is refused like str(). */
export function list(body: FormBody | undefined, name: string): string[] {
  const v = Buffer.isBuffer(body) ? undefined : body?.[name];
  if (v === undefined) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new DomainError('input.wrong_type', {}, name);
}

/**
 * Validates a form with the API's own DTO class, so a page accepts exactly
 * what the API accepts; messages come from the dictionary in the user's
 * language: `validation.<form>.<field>.<constraint>` if the form words it
 * specially, else `validation.<constraint>`.
 */
export async function validateForm<T extends object>(
  cls: new () => T,
  input: Record<string, unknown>,
  lang: Lang,
  form: string,
): Promise<{ value: T; errors: null } | { value: null; errors: FieldErrors }> {
  const value = plainToInstance(cls, input);
  const found = await validate(value, { whitelist: true, forbidNonWhitelisted: true });
  if (!found.length) return { value, errors: null };
  return { value: null, errors: toFieldErrors(found, lang, form) };
}

function toFieldErrors(found: ValidationError[], lang: Lang, form: string): FieldErrors {
  const errors: FieldErrors = {};
  for (const e of found) {
    const constraint = Object.keys(e.constraints ?? {})[0] ?? 'invalid';
    errors[e.property] = fieldMessage(lang, form, e.property, constraint);
  }
  return errors;
}

export function fieldMessage(lang: Lang, form: string, field: string, constraint: string): string {
  const specific = `validation.${form}.${field}.${constraint}`;
  const own = t(lang, specific);
  if (own !== specific) return own;
  const general = `validation.${constraint}`;
  const msg = t(lang, general);
  return msg === general ? t(lang, 'validation.invalid') : msg;
}

/**
 * The status, domain error code (if any) and field names of a service's error, for mapping onto a
 * form. Pages choose their words by `code`, never by matching `message`.
 */
export function httpError(e: unknown): { status: number; code?: string; fields: string[]; message: string } | null {
  if (e instanceof DomainError) return { status: e.status, code: e.code, fields: e.field ? [e.field] : [], message: e.code };
  if (!(e instanceof HttpException)) return null;
  const res = e.getResponse();
  const details = typeof res === 'object' && res && 'details' in res ? (res as { details?: { field?: string }[] }).details : undefined;
  const message = typeof res === 'string' ? res : String((res as { message?: unknown }).message ?? e.message);
  return { status: e.getStatus(), fields: (details ?? []).map((d) => String(d.field ?? '')), message };
}

/** A safe local path to return to after a post: only our own absolute paths, never another site. */
export function localPath(value: string, fallback: string): string {
  return /^\/(?![/\\])[A-Za-z0-9/_-]*$/.test(value) ? value : fallback;
}
