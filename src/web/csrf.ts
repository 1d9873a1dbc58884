import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthUser } from '../auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import { IS_PUBLIC } from '../auth/public.decorator';
import { SESSION_COOKIE } from '../sessions/sessions.service';

/*
 * CSRF protection for the page forms, without server-side state (several
 * instances may serve one user):
 *
 * - Signed in (session cookie): the token is HMAC-SHA256 keyed by the session
 *   token from the `a4_session` cookie. That cookie is HttpOnly and 256 random
 *   bits, so another site can neither read nor compute the token; HMAC keeps
 *   the token from revealing the session; a new sign-in gives a new token.
 * - Signed out (sign-in and enrolment forms): a double-submit cookie
 *   `a4_csrf` (random, HttpOnly, SameSite=Lax) whose value the form repeats.
 *   Only @Public() routes accept it; signed-in routes need the session-bound token.
 * - A request carrying `Authorization: Bearer` (a script) is not CSRF-prone:
 *   browsers never add that header to a cross-site form.
 *
 * The token travels in the `_csrf` form field, or the `x-csrf-token` header
 * for the CSV upload script. Every POST of a page controller checks it (403 `csrf.rejected`).
 */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const ANON_CSRF_COOKIE = 'a4_csrf';

type PageRequest = FastifyRequest & { user?: AuthUser };

export function sessionCsrfToken(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('a4-csrf-v1').digest('base64url');
}

const hasBearer = (req: FastifyRequest) => (req.headers.authorization ?? '').startsWith('Bearer ');

/** The session token behind req.user when it came from the cookie (not from a Bearer header). */
export function cookieSessionToken(req: PageRequest): string | undefined {
  if (!req.user || hasBearer(req)) return undefined;
  return req.cookies?.[SESSION_COOKIE] || undefined;
}

/**
 * The token a form rendered for this request must carry. For a signed-out
 * visitor without the double-submit cookie yet, one is set on the reply.
 */
export function csrfTokenFor(req: PageRequest, reply: FastifyReply, cookieOptions: Record<string, unknown>): string {
  const session = cookieSessionToken(req);
  if (session) return sessionCsrfToken(session);
  let anon = req.cookies?.[ANON_CSRF_COOKIE];
  if (!anon || !/^[A-Za-z0-9_-]{43}$/.test(anon)) {
    anon = randomBytes(32).toString('base64url');
    reply.setCookie(ANON_CSRF_COOKIE, anon, cookieOptions);
    // A later form on the same request cycle must see the same value.
    (req.cookies as Record<string, string>)[ANON_CSRF_COOKIE] = anon;
  }
  return anon;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Checks the token on every state-changing request of the page controllers. */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<PageRequest>();
    if (req.method === 'GET' || req.method === 'HEAD' || hasBearer(req)) return true;
    const body = req.body as Record<string, unknown> | undefined;
    const fromBody = body && !Buffer.isBuffer(body) && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
    const header = req.headers[CSRF_HEADER];
    const given = typeof fromBody === 'string' ? fromBody : typeof header === 'string' ? header : '';
    if (given) {
      const session = cookieSessionToken(req);
      if (session && same(given, sessionCsrfToken(session))) return true;
      const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()]);
      const anon = req.cookies?.[ANON_CSRF_COOKIE];
      if (isPublic && anon && same(given, anon)) return true;
    }
    throw new DomainError('csrf.rejected');
  }
}
