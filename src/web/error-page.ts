import type { FastifyReply } from 'fastify';
import type { ErrorBody } from '../common/filters/all-exceptions.filter';
import { SESSION_COOKIE } from '../sessions/sessions.service';
import { cookieSessionToken, sessionCsrfToken } from './csrf';
import { t } from './i18n';
import { baseContext, PageRequest } from './page-context';

/** Codes that mean "not signed in (any more)": the page answer is the sign-in page, not an error page. */
const SIGNED_OUT = new Set(['auth.sign_in_required', 'auth.session_expired']);
type PageKind = '400' | '403' | '404' | '409' | '413' | '429' | '500' | 'csrf';
/** Codes with an error page of their own. */
const OWN_PAGE: Record<string, PageKind> = { 'csrf.rejected': 'csrf' };
/** The general error pages, one per HTTP status the service answers with (for errors without a code: an unknown route, the framework's). */
const GENERAL: Record<number, PageKind> = { 400: '400', 403: '403', 404: '404', 409: '409', 413: '413', 429: '429' };

/**
 * `reply.renderError`, which AllExceptionsFilter calls for a browser's
 * request (Accept: text/html, outside /api/): a page instead of JSON.
 * Signed out or expired: back to the sign-in page, the stale cookie cleared.
 * Everything else: an error page in the user's language that names no
 * internals, chosen by the error's code where it has a page of its own,
 * else the general page of its status; a 500 shows its request id for the help desk.
 */
export async function renderErrorPage(this: FastifyReply, body: ErrorBody) {
  const req = this.request as PageRequest;
  if (body.code && SIGNED_OUT.has(body.code)) {
    if (req.cookies?.[SESSION_COOKIE]) this.clearCookie(SESSION_COOKIE, { path: '/' });
    return this.redirect('/', 303);
  }
  const base = baseContext(req, this);
  const session = cookieSessionToken(req);
  const kind: PageKind = (body.code && OWN_PAGE[body.code]) || GENERAL[body.statusCode] || '500';
  try {
    const html = await this.viewAsync('errors/error', {
      ...base,
      csrf: session ? sessionCsrfToken(session) : '',
      flash: null,
      title: t(base.lang, `error.${kind}.title`),
      heading: t(base.lang, `error.${kind}.title`),
      message: t(base.lang, `error.${kind}.message`),
      statusCode: body.statusCode,
      requestId: body.requestId,
    });
    return this.code(body.statusCode).header('cache-control', 'no-store').header('content-type', 'text/html; charset=utf-8').send(html);
  } catch {
    // The error page itself failed: plain text, never a loop.
    return this.code(body.statusCode)
      .header('content-type', 'text/plain; charset=utf-8')
      .send(`${body.statusCode} ${body.error} (${body.requestId})`);
  }
}
