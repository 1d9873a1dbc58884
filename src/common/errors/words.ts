import { t } from '../../web/i18n';
import type { ErrorParams } from './domain-error';
import type { ErrorCode } from './error-codes';

/**
 * The English words of a code, for the API's `message` fields (the global
 * filter, the CSV import's line errors). The words live in src/web/i18n.ts
 * under `errors.<code>`, like every word; pages choose theirs by code.
 */
export const englishWords = (code: ErrorCode, params: ErrorParams = {}): string => t('en', `errors.${code}`, params);

/** English words by key, for the API's answers that are no domain error (a 500, a field rule's message). */
export const englishText = (key: string, params: ErrorParams = {}): string => t('en', key, params);
