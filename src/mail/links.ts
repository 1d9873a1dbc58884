/**
 * The links messages carry. A one-time code travels in the query string:
 * the access log writes paths without their query (common/http/logged-path.ts),
 * and the page it opens moves the code into a short-lived cookie and
 * redirects to the bare path, so the code leaves the address bar at once
 * and no Referer can carry it (src/web/code-links.ts).
 */
export const mailLinks = (base: string) => ({
  enroll: (code: string) => `${base}/enroll?code=${encodeURIComponent(code)}`,
  passwordReset: (code: string) => `${base}/password-reset/new?code=${encodeURIComponent(code)}`,
  confirmAddress: (code: string) => `${base}/confirm-address?code=${encodeURIComponent(code)}`,
  invitation: (code: string) => `${base}/invitation?code=${encodeURIComponent(code)}`,
  learn: () => `${base}/learn`,
  certificate: (serial: string) => `${base}/certificates/${serial}`,
  verify: (serial: string) => `${base}/verify/${serial}`,
  progress: (engagementId: string) => `${base}/engagements/${engagementId}/progress`,
});
