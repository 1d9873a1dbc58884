/**
 * Every domain error code and the HTTP status it answers with (API.md,
 * Conventions: 400 invalid input, 401 no or expired session, 403 the role may
 * not, 404 missing or not visible, 409 conflict or wrong state, 413 too large,
 * 429 rate limited). A code is `<area>.<snake_case>`; its words, in both
 * languages, are `errors.<code>` in the web dictionary (only src/web/ speaks).
 * Grouped by area, sorted within each group.
 */
export const ERROR_STATUS = {
  // certificates
  'certificate.changed_meanwhile': 409,
  'certificate.not_found': 404,
  'certificate.not_reinstatable': 409,
  'certificate.not_revocable': 409,
  'serial.check_character': 400,
  'serial.malformed': 400,
  'signing_key.not_found': 404,
  'status_list.not_found': 404,
} as const satisfies Record<string, 400 | 401 | 403 | 404 | 409 | 413 | 429>;

export type ErrorCode = keyof typeof ERROR_STATUS;
