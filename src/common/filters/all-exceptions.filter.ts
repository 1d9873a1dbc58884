import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { DomainError } from '../errors/domain-error';
import { englishText, englishWords } from '../errors/words';

export interface ErrorBody {
  statusCode: number;
  error: string;
  /** The domain error code (DomainError), when the service gave one. */
  code?: string;
  message: string;
  details?: unknown[];
  requestId: string;
}

/**
 * The one error shape of the API: `{ statusCode, error, code?, message, details?, requestId }`.
 * A DomainError answers with its code's status and English words; HTTP
 * errors pass through as they are; anything else is a 500 whose stack is
 * logged once, under the request id, and never returned.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const body = toErrorBody(exception, String(req.id));
    if (body.statusCode >= 500) req.log.error({ err: exception }, 'unhandled error');
    if (reply.sent) return;
    setRetryAfter(reply, exception);
    // Pages get an HTML error; everything else JSON.
    const render = (reply as FastifyReply & { renderError?: (b: ErrorBody) => unknown }).renderError;
    if (render && wantsHtml(req)) {
      void render.call(reply, body);
      return;
    }
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

/**
 * RFC 9110 §10.2.3: a throttled caller is told when to come back. The one
 * place a `Retry-After` header is written: from a DomainError's
 * `retryAfterSeconds`, which every 429 code must carry (DomainError's
 * constructor refuses one without it). Used by this filter and by a page that
 * answers a 429 itself (the sign-in form).
 */
export function setRetryAfter(reply: FastifyReply, exception: unknown): void {
  const retryAfter = exception instanceof DomainError ? exception.params.retryAfterSeconds : undefined;
  if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
}

function wantsHtml(req: FastifyRequest): boolean {
  return !req.url.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html');
}

export function toErrorBody(exception: unknown, requestId: string): ErrorBody {
  // Fastify refuses a body over its limit before any route; Nest hands that on as an HttpException(413).
  if (exception instanceof HttpException && exception.getStatus() === 413) exception = new DomainError('input.body_too_large');
  // Fastify's own errors (body too large, bad content type, a URL it cannot decode) carry a statusCode and a code.
  const fe = exception as { statusCode?: number; code?: string; message?: string };
  if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') exception = new DomainError('input.body_too_large');
  if (fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') exception = new DomainError('input.unsupported_content_type');
  if (exception instanceof DomainError) {
    const statusCode = exception.status;
    const message = englishWords(exception.code, exception.params);
    const details =
      exception.details ?? (exception.field ? [{ field: exception.field, code: exception.code, messages: [message] }] : undefined);
    return {
      statusCode,
      error: STATUS_CODES[statusCode] ?? 'Error',
      code: exception.code,
      message,
      ...(details ? { details: [...details] } : {}),
      requestId,
    };
  }
  // Nest's own (an unknown route, a failed ParseUUIDPipe) and the framework's words pass through as they are.
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const res = exception.getResponse();
    const error = STATUS_CODES[statusCode] ?? 'Error';
    if (typeof res === 'string') return { statusCode, error, message: res, requestId };
    const r = res as { message?: unknown; details?: unknown[] };
    const message = Array.isArray(r.message) ? r.message.join('; ') : String(r.message ?? error);
    return { statusCode, error, message, ...(r.details ? { details: r.details } : {}), requestId };
  }
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const statusCode = fe.statusCode;
    const error = STATUS_CODES[statusCode] ?? 'Error';
    return { statusCode, error, message: fe.message ?? error, requestId };
  }
  return {
    statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
    error: 'Internal Server Error',
    message: englishText('errors.internal', { requestId }),
    requestId,
  };
}
