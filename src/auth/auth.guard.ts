import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error';
import type { Role } from '../users/user.entity';
import { IS_PUBLIC } from './public.decorator';
import { ROLES_KEY } from './auth-user';
import { SessionsService, SESSION_COOKIE } from '../sessions/sessions.service';

/**
 * Every route needs a session unless marked @Public(). The token comes from
 * `Authorization: Bearer` (API, scripts) or the session cookie (pages).
 * Roles are checked here; which rows a caller may see is decided by the
 * owning service's scoped queries (404 for what is not theirs).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest & { user?: unknown }>();
    const targets = [ctx.getHandler(), ctx.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);
    const token = bearer(req) ?? (cookieAllowed(req) ? req.cookies?.[SESSION_COOKIE] : undefined);
    const user = token ? await this.sessions.resolve(token) : null;
    if (user) req.user = user;
    if (isPublic) return true;
    if (!user) throw new DomainError(token ? 'auth.session_expired' : 'auth.sign_in_required');
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(user.role)) throw new DomainError('access.forbidden');
    return true;
  }
}

/**
 * The session cookie serves the pages, and reads of the API (a CSV download
 * link). A state-changing API call must carry the Bearer token: the pages'
 * forms have their CSRF token, the JSON API has none, so the cookie alone
 * never authorizes a write there.
 */
function cookieAllowed(req: FastifyRequest): boolean {
  return !req.url.startsWith('/api/') || req.method === 'GET' || req.method === 'HEAD';
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() || undefined : undefined;
}
