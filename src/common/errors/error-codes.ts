/**
 * Every domain error code and the HTTP status it answers with (docs/api.md,
 * Conventions: 400 invalid input, 401 no or expired session, 403 the role may
 * not, 404 missing or not visible, 409 conflict or wrong state, 413 too large,
 * 415 not a body this route reads, 429 rate limited: thrown with `retryAfterSeconds`, which DomainError requires and
 * the filter sends as Retry-After; 503 not ready). A code is
 * `<area>.<snake_case>`; its words, in both languages, are `errors.<code>` in
 * the locale files (locales/ja.json, locales/en.json): the API answers with the
 * English words, pages choose theirs by code. Grouped by area, sorted within each group.
 */
export const ERROR_STATUS = {
  // access (src/access): what a caller may not see is a 404 like what does not exist; 403 only where the role may never
  'access.forbidden': 403,
  'engagement.not_found': 404,
  'municipality.not_found': 404,
  'organization.not_found': 404,
  // accounts and sessions
  'account.email_taken': 409,
  'account.municipality_required': 400,
  'account.organization_required': 400,
  'auth.session_expired': 401,
  'auth.sign_in_failed': 401,
  'auth.sign_in_required': 401,
  'auth.sign_in_throttled': 429,
  'enrollment.code_invalid': 400,
  'enrollment.code_used': 409,
  // pages: a form not from this site, or from an earlier session
  'csrf.rejected': 403,
  // municipalities, organizations, engagements, assignments, workers
  'assignment.certified': 409,
  'assignment.not_found': 404,
  'assignment.organization_refused': 409,
  'engagement.contract_number_taken': 409,
  'engagement.ends_before_start': 400,
  'engagement.unknown_modules': 400,
  // close-out (src/close-out, docs/data-protection.md)
  'close_out.archive_erased': 409,
  'close_out.confirmation_required': 400,
  'close_out.erased': 409,
  'close_out.not_closed': 409,
  'close_out.not_ended': 409,
  'close_out.closed': 409,
  'close_out.retention': 409,
  'municipality.code_taken': 409,
  'organization.corporate_number_taken': 409,
  'organization.has_manager': 409,
  'organization.not_on_engagement': 404,
  'subcontractor.already_decided': 409,
  'subcontractor.already_on_engagement': 409,
  'subcontractor.not_found': 404,
  'subcontractor.parent_not_on_engagement': 409,
  'subcontractor.parent_refused': 409,
  'worker.already_enrolled': 409,
  'worker.email_taken': 409,
  'worker.not_found': 404,
  'worker.slip_code_invalid': 400,
  // training
  'attempt.already_submitted': 409,
  'attempt.answer_foreign_choice': 400,
  'attempt.answer_repeated': 400,
  'attempt.answer_too_many_choices': 400,
  'attempt.answer_unknown_question': 400,
  'attempt.not_found': 404,
  'attempt.not_submitted': 409,
  'attempt.time_limit_passed': 409,
  'module.not_found': 404,
  'training.cooling_down': 429,
  'training.module_not_in_curriculum': 409,
  // the input layer (src/common/input): bodies refused before any route, and the pipe's field rules
  'account.address_taken': 409,
  'account.code_invalid': 400,
  'account.sign_in_required': 401,
  'input.body_too_large': 413,
  'input.forbidden_key': 400,
  'input.invalid': 400,
  'input.json_expected': 400,
  'input.json_required': 415,
  'input.lone_surrogate': 400,
  'input.malformed_form': 400,
  'input.malformed_json': 400,
  'input.not_utf8': 400,
  'input.too_deep': 400,
  'input.too_many_fields': 400,
  'input.unexpected_body': 400,
  'input.unsupported_content_type': 415,
  'input.wrong_type': 400,
  'pagination.invalid_cursor': 400,
  // CSV files (src/common/csv): the whole file refused, `line` naming where
  'csv.binary': 400,
  'csv.encoding_mixed': 400,
  'csv.encoding_unsure': 400,
  'csv.file_empty': 400,
  'csv.header_missing': 400,
  'csv.not_csv': 400,
  'csv.syntax': 400,
  'csv.undecodable': 400,
  'csv.unsupported_encoding': 400,
  'csv.user_defined_character': 400,
  // CSV rows (src/workers/worker-csv.ts): reported per line in the import's `errors`, the other lines imported
  'csv.control_character': 400,
  'csv.email_empty': 400,
  'csv.email_invalid': 400,
  'csv.email_repeats': 400,
  'csv.errors_not_listed': 400,
  'csv.employee_number_too_long': 400,
  'csv.furigana_invalid': 400,
  'csv.name_empty': 400,
  'csv.name_too_long': 400,
  // certificates
  'certificate.changed_meanwhile': 409,
  'certificate.not_found': 404,
  'certificate.not_reinstatable': 409,
  'certificate.not_revocable': 409,
  'serial.check_character': 400,
  'serial.malformed': 400,
  'signing_key.not_found': 404,
  'status_list.not_found': 404,
  // audit
  'audit.engagement_required': 400,
  // system
  'system.not_ready': 503,
  'system.sbom_missing': 404,
} as const satisfies Record<string, 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Whether a string is a known domain error code. */
export const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code);
