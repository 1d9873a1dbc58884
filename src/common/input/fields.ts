import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength, registerDecorator, type ValidationOptions } from 'class-validator';
import { fieldRuleMessage } from '../errors/words';
import {
  EMAIL_MAX_LENGTH,
  isEmailAddress,
  isFurigana,
  normalizeEmail,
  normalizeFurigana,
  normalizeIdentifier,
  normalizeTypedCode,
} from './normalize';
import { hasLoneSurrogate, isPlainText, trimText } from './unicode';

/*
 * The field rules of the input layer, as decorators for the DTOs: each DTO says
 * per field what it accepts, the global ValidationPipe (API) and validateForm
 * (pages) apply it, and services receive clean values. What each rule accepts
 * and refuses: docs/inputs.md. A spec (fields.spec.ts) checks that every string
 * field of every DTO carries IsPlainText, so a new field cannot forget it.
 */

/**
 * Well-formed text without control characters (unicode.ts: C0, DEL, C1, the
 * U+2028/2029, the bidi controls; `multiline` allows TAB, CR, LF). Constraint name `isPlainText`,
 * for the pages' words (`validation.isPlainText`).
 */
export function IsPlainText(options: { multiline?: boolean } & ValidationOptions = {}) {
  const { multiline = false, ...validationOptions } = options;
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isPlainText',
      target: object.constructor,
      propertyName: propertyName as string,
      options: { message: fieldRuleMessage('isPlainText'), ...validationOptions },
      // Non-strings are IsString's to refuse.
      validator: { validate: (v: unknown) => typeof v !== 'string' || isPlainText(v, multiline) },
    });
}

/** An e-mail address (normalize.ts isEmailAddress). Constraint name `isEmail`, as class-validator's. */
export function IsEmailAddress(options: ValidationOptions = {}) {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isEmail',
      target: object.constructor,
      propertyName: propertyName as string,
      options: { message: fieldRuleMessage('isEmail'), ...options },
      validator: { validate: isEmailAddress },
    });
}

export interface TextFieldOptions {
  /** Length limits in UTF-16 code units, after trimming. `min` defaults to 1 (required and not blank). */
  min?: number;
  max: number;
  /** Allows TAB, CR and LF inside (a reason, a note); never U+2028/2029. */
  multiline?: boolean;
  /**
   * NFKC for identifiers people type in full width (a contract number, an
   * employee number). Not for names: NFKC turns ﾅｶﾆｼ into ナカニシ and ① into 1,
   * and even NFC replaces CJK compatibility ideographs such as 福 (U+FA1B) with
   * their unified forms, so a name would no longer be what was written.
   */
  nfkc?: boolean;
}

const transformString = (f: (s: string) => string) =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && !hasLoneSurrogate(value) ? f(value) : value));

/**
 * A text field: a string, trimmed at both ends, optionally NFKC, without
 * control characters, within its length limits. Names keep every character
 * as typed (no Unicode normalisation): see TextFieldOptions.nfkc.
 */
export function TextField(options: TextFieldOptions): PropertyDecorator {
  const { min = 1, max, multiline = false, nfkc = false } = options;
  return applyDecorators(
    transformString((s) => trimText(nfkc ? s.normalize('NFKC') : s)),
    IsString(),
    IsPlainText({ multiline }),
    ...(min > 0 ? [MinLength(min)] : []),
    MaxLength(max),
  );
}

/** An e-mail address, normalised by the one e-mail normaliser (normalize.ts normalizeEmail). */
export function EmailField(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => normalizeEmail(value)),
    IsString(),
    IsPlainText(),
    IsEmailAddress(),
    MaxLength(EMAIL_MAX_LENGTH),
  );
}

/**
 * A code a person types (an enrollment code, a reset code), normalised by the
 * one typed-code normaliser (normalize.ts normalizeTypedCode); the length
 * limits apply to the normalised code.
 */
export function TypedCodeField(options: { min: number; max: number }): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => normalizeTypedCode(value)),
    IsString(),
    IsPlainText(),
    MinLength(options.min),
    MaxLength(options.max),
  );
}

/**
 * A secret (a password): taken exactly as typed, no trimming and no
 * normalisation (how it is hashed is the password module's business), but
 * well-formed and without control characters like every text.
 */
export function SecretField(options: { min: number; max: number; minWords?: 'passwordTooShort' }): PropertyDecorator {
  return applyDecorators(
    IsString(),
    IsPlainText(),
    MinLength(options.min, options.minWords ? { message: fieldRuleMessage(options.minWords) } : {}),
    MaxLength(options.max),
  );
}

/** NFKC and trimmed before a format check (digits typed in full width for a corporate number, a date). */
export function NormalizeIdentifier(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => normalizeIdentifier(value));
}

/**
 * フリガナ (optional on a worker): katakana or hiragana, half or full width,
 * normalised to full-width katakana (normalize.ts normalizeFurigana); an empty
 * value is no フリガナ (the DTO marks it IsOptional; the service stores null).
 * Constraint name `isFurigana`.
 */
export function FuriganaField(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => normalizeFurigana(value)),
    IsString(),
    IsPlainText(),
    registerFurigana(),
  );
}

function registerFurigana(): PropertyDecorator {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isFurigana',
      target: object.constructor,
      propertyName: propertyName as string,
      options: { message: fieldRuleMessage('isFurigana') },
      validator: { validate: (v: unknown) => v === '' || isFurigana(v) },
    });
}
