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

/** A public document as sent: its bytes, media type and caching rules (src/certificates/public-documents.ts). */
export interface CacheableDocument {
  body: string;
  type: string;
  cacheControl: string;
  vary?: string;
}

/**
 * Sends a public document with its `Content-Type`, `ETag`, `Cache-Control`
 * (and `Vary`), or `304 Not Modified` without a body when the request's
 * `If-None-Match` names its ETag (RFC 9110 §15.4.5). The public front
 * (public-front.ts) sends the same headers by the same rules.
 */
export function sendDocument(req: FastifyRequest, reply: FastifyReply, doc: CacheableDocument): void {
  const etag = entityTag(doc.body);
  reply.header('content-type', doc.type).header('etag', etag).header('cache-control', doc.cacheControl);
  if (doc.vary) reply.header('vary', doc.vary);
  if (fresh(req.headers, { etag })) reply.code(304).send();
  else reply.send(doc.body);
}
