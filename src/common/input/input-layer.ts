import { DomainError } from '../errors/domain-error';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { BODY_LIMIT, CSV_BODY_LIMIT, parseFormBody, parseJsonBody } from './body';

/**
 * How long a connection may go on sending a body we have already answered
 * (413, 415, …) before it is closed: nginx's lingering_time default.
 */
export const LINGER_MS = 30_000;

/**
 * The body side of the input layer, on the Fastify instance behind Nest (used
 * by main.ts and every test app through configureApp):
 *
 * - JSON (`application/json`) and forms (`application/x-www-form-urlencoded`)
 *   are parsed by our strict parsers (body.ts) instead of Nest's defaults, so a
 *   deep, ill-formed or prototype-reaching body is a 400 before any route runs;
 * - the API (`/api/…`) takes JSON, not forms (415), and CSV only where a route
 *   says so (the validation pipe refuses bytes for a DTO);
 * - `text/csv` and `application/octet-stream` arrive as bytes, up to CSV_BODY_LIMIT;
 * - `text/plain` is not accepted (415): no route reads it;
 * - an answer given before the body has arrived (413 on Content-Length, 415)
 *   lets the client finish sending (lingerOnUnreadBody), so it reads the answer
 *   instead of a broken pipe.
 */
export function registerInputLayer(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  // Registering our own marks Nest's default parsers as registered, so they are not added.
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.useBodyParser('application/x-www-form-urlencoded', { bodyLimit: BODY_LIMIT }, (req, body, done) => {
    if (req.url.startsWith('/api/')) return done(new DomainError('input.json_required'), undefined);
    try {
      done(null, parseFormBody(body));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  fastify.addContentTypeParser(
    ['text/csv', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: CSV_BODY_LIMIT },
    (_req, body, done) => done(null, body),
  );
  fastify.removeContentTypeParser('text/plain');
  lingerOnUnreadBody(fastify);
}

/**
 * When the answer leaves before the request body has fully arrived (Fastify
 * answers 413 on the Content-Length alone, 415 without reading), Fastify asks
 * for `Connection: close`, and Node then closes the socket while the client is
 * still sending: the client sees EPIPE or ECONNRESET instead of our answer.
 * Mature servers read and discard the rest for a while ("lingering close",
 * nginx; RFC 9112 §9.6 on closing only after the client has seen the
 * response). We keep the connection, let Node discard what still comes, and
 * close it only if the body has not ended within LINGER_MS.
 */
export function lingerOnUnreadBody(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (req, reply) => {
    const raw = req.raw;
    // Only a real socket whose request is still arriving (injected test requests have no `complete`).
    if (raw.complete !== false) return;
    reply.removeHeader('connection');
    reply.raw.once('finish', () => discardRest(raw));
  });
}

function discardRest(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  const socket = req.socket;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  const done = () => clearTimeout(timer);
  req.once('end', done);
  req.once('close', done);
  // Node discards an unread body itself (IncomingMessage._dump); resuming covers a body a parser stopped reading.
  req.resume();
}
