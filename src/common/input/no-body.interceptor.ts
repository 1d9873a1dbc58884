import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Observable } from 'rxjs';
import { DomainError } from '../errors/domain-error';

/** The one field a body-less page form still sends: its CSRF token (src/web/csrf.ts). */
const ALLOWED_WITHOUT_BODY = new Set(['_csrf']);

/**
 * A route that declares no `@Body()` (sign-out, reissuing codes, starting a
 * quiz) takes no body: anything but nothing, `{}` or a form's `_csrf` (JSON `null` too) is
 * refused with 400 input.unexpected_body instead of being silently ignored,
 * as unknown fields are refused where there is a DTO.
 */
@Injectable()
export class NoBodyInterceptor implements NestInterceptor {
  private readonly takesBody = new WeakMap<object, boolean>();

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() === 'http' && !this.declaresBody(ctx)) {
      const body: unknown = ctx.switchToHttp().getRequest<{ body?: unknown }>().body;
      if (!isEmptyBody(body)) throw new DomainError('input.unexpected_body', {}, 'body');
    }
    return next.handle();
  }

  private declaresBody(ctx: ExecutionContext): boolean {
    const handler = ctx.getHandler();
    let known = this.takesBody.get(handler);
    if (known === undefined) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, ctx.getClass(), handler.name) ?? {}) as Record<string, unknown>;
      known = Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
      this.takesBody.set(handler, known);
    }
    return known;
  }
}

function isEmptyBody(body: unknown): boolean {
  if (body === undefined) return true;
  if (Buffer.isBuffer(body)) return body.length === 0;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  return Object.keys(body).every((k) => ALLOWED_WITHOUT_BODY.has(k));
}
