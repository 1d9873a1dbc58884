import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Pages } from './pages.service';

/*
 * Links that carry a one-time code (`/enroll?code=…`, `/password-reset/new?code=…`,
 * `/confirm-address?code=…`, `/invitation?code=…`; docs/mail.md):
 * - the access log never writes a query string (common/http/logged-path.ts);
 * - the first GET moves the code into a cookie scoped to that page's path
 *   (HttpOnly, SameSite=Lax, 30 minutes) and redirects (303) to the bare
 *   path, so the code does not stay in the address bar, is not in the URL
 *   of the page the person then uses, and is in no bookmark made there;
 * - these pages answer `Referrer-Policy: no-referrer` (the rest of the site
 *   sends `same-origin`), so no request leaving them names them, with or
 *   without the code;
 * - the page only shows the code in its form: using it takes a POST (a mail
 *   scanner that fetches the link changes nothing).
 */
const COOKIE = 'a4_code';
const CODE_SHAPE = /^[0-9A-Za-z\u3000-\u30ff\uff01-\uff5e\s_.・-]{10,64}$/u;
const LIFETIME_SECONDS = 30 * 60;

type CodeRequest = FastifyRequest & { query: Record<string, unknown> };

/**
 * On `GET <path>?code=…`: keeps the code in the cookie and redirects to the
 * bare path; answers true when it did (the handler then returns).
 */
export function moveCodeToCookie(req: FastifyRequest, reply: FastifyReply, pages: Pages, path: string): boolean {
  const code = (req as CodeRequest).query?.code;
  if (code === undefined) return false;
  reply.header('referrer-policy', 'no-referrer');
  if (typeof code === 'string' && CODE_SHAPE.test(code)) reply.setCookie(COOKIE, code, { ...pages.cookieOptions(LIFETIME_SECONDS), path });
  void pages.redirect(reply, path);
  return true;
}

/** The code the link brought, if any (to fill the page's form). */
export function codeFromLink(req: FastifyRequest): string {
  const code = req.cookies?.[COOKIE];
  return code && CODE_SHAPE.test(code) ? code : '';
}

/** Once the code is used: the cookie goes. */
export function forgetCode(reply: FastifyReply, path: string): void {
  reply.clearCookie(COOKIE, { path });
}

/** Pages that show a code: no Referer leaves them. */
export function noReferrer(reply: FastifyReply): void {
  reply.header('referrer-policy', 'no-referrer');
}
