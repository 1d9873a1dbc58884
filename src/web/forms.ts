import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { DomainError } from '../common/errors/domain-error';
import type { ErrorCode } from '../common/errors/error-codes';
import type { Lang } from './i18n';
import { lookup, t } from './i18n';

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

/**
 * The body of a page form whose fields may all be missing (posting nothing is valid): an object, or
 * nothing. A JSON body that is not an object (null, a list, a number) is no form of ours: 400
 * `input.json_expected`, as the API's DTOs answer (a form with a required field refuses it anyway).
 */
export function optionalForm(body: unknown): FormBody {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body))
    throw new DomainError('input.json_expected', {}, 'body');
  return body as FormBody;
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

/** A field rule's words: the form's own (`validation.<form>.<field>.<constraint>`), else the rule's, else a general one. */
export function fieldMessage(lang: Lang, form: string, field: string, constraint: string): string {
  return (
    lookup(lang, `validation.${form}.${field}.${constraint}`) ?? lookup(lang, `validation.${constraint}`) ?? t(lang, 'validation.invalid')
  );
}

/**
 * A service's domain error, when its code is one of `codes` (the ones the page has words for), else
 * null: the caller rethrows it, and the error page answers. Pages choose their words by code, never
 * by a status or a message; the status the page answers with is the code's (error-codes.ts).
 */
export function caught<C extends ErrorCode>(e: unknown, ...codes: C[]): (DomainError & { code: C }) | null {
  return e instanceof DomainError && (codes as ErrorCode[]).includes(e.code) ? (e as DomainError & { code: C }) : null;
}

/** A safe local path to return to after a post: only our own absolute paths, never another site. */
export function localPath(value: string, fallback: string): string {
  return /^\/(?![/\\])[A-Za-z0-9/_-]*$/.test(value) ? value : fallback;
}

/** One line of a form's error summary: the message, and the `#id` of the field it concerns (null for the form as a whole). */
export type SummaryItem = { href: string | null; message: string };

/**
 * A submission's errors as the summary at the top of the page lists them
 * (partials/error-summary.hbs; the GOV.UK and デジタル庁 design systems' error
 * summary): one line per field, in the order the fields were reported, each
 * linking to its field. A field's element id is `anchors[name]`, else
 * `prefix + name`; the key `_form` (an error of the whole form) has no link.
 */
export function errorSummary(errors: FieldErrors | undefined | null, anchors: Record<string, string> = {}, prefix = ''): SummaryItem[] {
  return Object.entries(errors ?? {})
    .filter(([, message]) => !!message)
    .map(([field, message]) => ({ href: field === '_form' ? null : `#${anchors[field] ?? prefix + field}`, message }));
}
