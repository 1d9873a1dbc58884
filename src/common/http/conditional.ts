import type { FastifyReply, FastifyRequest } from 'fastify';
import fresh from 'fresh';
import { createHash } from 'node:crypto';

/*
 * HTTP caching of the public documents (docs/caching.md): a strong entity
 * tag from the bytes sent, and `304 Not Modified` when the request's
 * `If-None-Match` names it (RFC 9110 §8.8.3, §13.1.2). The comparison (a
 * list of tags, `*`, `W/` prefixes, a request's `Cache-Control: no-cache`)
 * is the `fresh` package's, the one Express and Koa use.
 */

/** A strong entity tag for a body: `"` + the first 128 bits of its SHA-256, base64url + `"`. */
export function entityTag(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/** How long a verification answer or a status list may be reused: the status list's time to live (docs/caching.md). */
export const STATUS_TTL_SECONDS = 300;

/**
 * Sets `ETag` (and the given `Cache-Control`, `Vary`) and answers whether
 * the caller already holds this version: then the status is set to 304 and
 * the caller sends no body (`reply.send()`), RFC 9110 §15.4.5.
 */
export function conditional(
  req: FastifyRequest,
  reply: FastifyReply,
  etag: string,
  headers: { cacheControl: string; vary?: string },
): boolean {
  reply.header('etag', etag);
  reply.header('cache-control', headers.cacheControl);
  if (headers.vary) reply.header('vary', headers.vary);
  if (!fresh(req.headers, { etag })) return false;
  reply.code(304);
  return true;
}
