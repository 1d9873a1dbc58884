import { t, type MessageKey } from '../i18n/words';
import type { ErrorParams } from './domain-error';
import type { ErrorCode } from './error-codes';

/**
 * The English words of a code, for the API's `message` fields (the global
 * filter, the CSV import's line errors): `errors.<code>` in locales/en.json,
 * like every word. Pages choose theirs by code, in the user's language.
 */
export const englishWords = (code: ErrorCode, params: ErrorParams = {}): string => t('en', `errors.${code}`, params);

/** English words by key, for the API's answers that are no domain error (a 500, a field rule's message). */
export const englishText = (key: MessageKey, params: ErrorParams = {}): string => t('en', key, params);

/** The field rules of our own that answer the API in words of the locale files (`fieldRules.*`). */
export type FieldRuleWords = Extract<MessageKey, `fieldRules.${string}`> extends `fieldRules.${infer N}` ? N : never;

/**
 * A class-validator `message` for one of our field rules: the English words of
 * `fieldRules.<name>` with `{property}` (and `{min}`, a rule's first constraint) filled.
 * (class-validator's own rules keep the library's messages.)
 */
export const fieldRuleMessage =
  (name: FieldRuleWords) =>
  (args: { property: string; constraints?: unknown[] }): string =>
    englishText(`fieldRules.${name}`, {
      property: args.property,
      min: typeof args.constraints?.[0] === 'number' ? args.constraints[0] : '',
    });
