import type { FastifyReply } from 'fastify';
import type { ErrorBody } from '../common/filters/all-exceptions.filter';
import { SESSION_COOKIE } from '../sessions/sessions.service';
import { cookieSessionToken, CSRF_REJECTED, sessionCsrfToken } from './csrf';
import { t } from './i18n';
import { baseContext, PageRequest } from './page-context';

const KNOWN = new Set([400, 403, 404, 409, 413, 429]);

/**
 * `reply.renderError`, which AllExceptionsFilter calls for a browser's
 * request (Accept: text/html, outside /api/): a page instead of JSON.
 * Signed out or expired (401): back to the sign-in page, the stale cookie
 * cleared. Everything else: an error page in the user's language that names
 * no internals; a 500 shows its request id for the help desk.
 */
export async function renderErrorPage(this: FastifyReply, body: ErrorBody) {
  const req = this.request as PageRequest;
  if (body.statusCode === 401) {
    if (req.cookies?.[SESSION_COOKIE]) this.clearCookie(SESSION_COOKIE, { path: '/' });
    return this.redirect('/', 303);
  }
  const base = baseContext(req, this);
  const session = cookieSessionToken(req);
  const kind =
    body.statusCode === 403 && body.message === CSRF_REJECTED ? 'csrf' : KNOWN.has(body.statusCode) ? String(body.statusCode) : '500';
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
