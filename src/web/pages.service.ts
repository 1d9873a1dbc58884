import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Lang } from '../content/content.types';
import { SESSION_COOKIE, SessionsService } from '../sessions/sessions.service';
import { cookieSessionToken, csrfTokenFor } from './csrf';
import { Flash, FLASH_COOKIE, FLASH_SECONDS, openFlash, sealFlash } from './flash';
import { errorSummary, type FieldErrors, type SummaryItem } from './forms';
import { langOf, t } from './i18n';
import { baseContext, PageRequest } from './page-context';

type FlashedRequest = PageRequest & { flashTaken?: Flash | null };

/**
 * The few things every page controller does: render a view inside the
 * layout with the common context, redirect after a post (303, so a reload
 * never submits twice), carry a one-time message across that redirect.
 */
@Injectable()
export class Pages {
  constructor(private readonly sessions: SessionsService) {}

  lang(req: PageRequest): Lang {
    return langOf(req);
  }

  /** Cookie attributes (HttpOnly, SameSite=Lax, Secure on https) with a lifetime. */
  cookieOptions(seconds: number) {
    return this.sessions.cookieOptions(new Date(Date.now() + seconds * 1000));
  }

  setSessionCookie(reply: FastifyReply, token: string, expiresAt: string | Date): void {
    reply.setCookie(SESSION_COOKIE, token, this.sessions.cookieOptions(new Date(expiresAt)));
  }

  clearSessionCookie(reply: FastifyReply): void {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  /**
   * Renders a page. A page shown again after a bad submission carries an error summary
   * (`errorSummary`, partials/error-summary.hbs): the controller's own, else one built from
   * `errors` (fields whose element id is their name) and `formError`; its title then starts
   * with 「エラー:」, as the design systems ask, so the tab and a screen reader say it first.
   */
  async render(req: PageRequest, reply: FastifyReply, template: string, data: { title: string } & Record<string, unknown>, status = 200) {
    const base = baseContext(req, reply);
    const flash = this.takeFlash(req, reply);
    const csrf = csrfTokenFor(req, reply, this.cookieOptions(12 * 3600));
    const summary =
      (data.errorSummary as SummaryItem[] | undefined) ??
      errorSummary({
        ...(typeof data.formError === 'string' && data.formError ? { _form: data.formError } : {}),
        // import-result's `errors` is a list of CSV lines, not a form's fields.
        ...(Array.isArray(data.errors) ? {} : ((data.errors as FieldErrors | undefined) ?? {})),
      });
    const html = await reply.viewAsync(template, {
      ...base,
      csrf,
      flash: flash ? { kind: flash.kind, message: t(base.lang, flash.key, flash.params), data: flash.data ?? {} } : null,
      ...data,
      errorSummary: summary,
      title: summary.length ? t(base.lang, 'form.errorTitle', { title: data.title }) : data.title,
    });
    return reply.code(status).header('cache-control', 'no-store').header('content-type', 'text/html; charset=utf-8').send(html);
  }

  redirect(reply: FastifyReply, url: string) {
    return reply.redirect(url, 303);
  }

  /** Sets the message the next page shows once. Only for signed-in users: the key comes from their session. */
  flash(req: PageRequest, reply: FastifyReply, flash: Flash): void {
    const session = cookieSessionToken(req);
    if (!session) return;
    reply.setCookie(FLASH_COOKIE, sealFlash(session, flash), this.cookieOptions(FLASH_SECONDS));
  }

  /**
   * Sets the message the next page shows once, for a session that starts with this answer (after
   * enrolling): sealed under the new session's token, which the request does not carry yet.
   */
  flashForNewSession(reply: FastifyReply, sessionToken: string, flash: Flash): void {
    reply.setCookie(FLASH_COOKIE, sealFlash(sessionToken, flash), this.cookieOptions(FLASH_SECONDS));
  }

  /** Reads and clears the pending message (once per request; render() uses the same one). */
  takeFlash(req: FlashedRequest, reply: FastifyReply): Flash | null {
    if (req.flashTaken !== undefined) return req.flashTaken;
    const sealed = req.cookies?.[FLASH_COOKIE];
    const session = cookieSessionToken(req);
    req.flashTaken = sealed && session ? openFlash(session, sealed) : null;
    if (sealed) reply.clearCookie(FLASH_COOKIE, { path: '/' });
    return req.flashTaken;
  }
}
