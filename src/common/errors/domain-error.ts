import { ERROR_STATUS, type ErrorCode } from './error-codes';

/** Values a message may interpolate as `{name}`: never personal data (names, e-mails, codes). */
export type ErrorParams = Readonly<Record<string, string | number | boolean>>;

/** One refused input field: its path (`answers[0].choiceIds`), a code for its problem, and the API's English words. */
export interface FieldProblem {
  field: string;
  /** A domain error code, or `validation.<constraint>` for a field rule of the DTO (class-validator's constraint name). */
  code: string;
  messages: string[];
}

/**
 * What a service throws when a use case cannot go on: a stable code, the
 * parameters the words need, and the input field it concerns (if any).
 * Services never write sentences; the global filter answers the API with the
 * code's status and English words, and pages choose their own words by code
 * (src/web/). Example: `throw new DomainError('serial.check_character', {}, 'serial')`.
 * `details` lists several refused fields at once (the validation pipe's `input.invalid`).
 */
export class DomainError extends Error {
  /**
   * @throws TypeError for a code answering 429 without `params.retryAfterSeconds` (a positive
   *   whole number of seconds): every 429 tells the caller when to come back (RFC 9110 §10.2.3,
   *   RFC 6585 §4), and the global filter sends it as `Retry-After`.
   */
  constructor(
    readonly code: ErrorCode,
    readonly params: ErrorParams = {},
    readonly field?: string,
    readonly details?: readonly FieldProblem[],
  ) {
    super(code);
    this.name = 'DomainError';
    const wait = params.retryAfterSeconds;
    if (ERROR_STATUS[code] === 429 && !(typeof wait === 'number' && Number.isInteger(wait) && wait > 0))
      throw new TypeError(`${code} answers 429 and needs params.retryAfterSeconds (a positive whole number)`);
  }

  /** The HTTP status the code answers with (error-codes.ts). */
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
