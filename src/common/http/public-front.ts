import fresh from 'fresh';
import type { FastifyBaseLogger } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CacheableDocument, entityTag } from './conditional';

/**
 * One route of the front: a GET path matched whole (no query string), and
 * the document it answers. `answer` returns undefined, or throws, when the
 * front should not answer (an unknown serial, a malformed one, a row that
 * needs the full pipeline): the request then goes on to Fastify and Nest,
 * which answer it as they answer everything, errors included.
 */
export interface FrontRoute {
  /** The route's pattern as the access log writes it (`/api/v1/certificates/:serial`). */
  pattern: string;
  /** Matches the whole path; its first group is the parameter named in `param`. */
  path: RegExp;
  param?: string;
  answer(value: string, req: IncomingMessage): Promise<CacheableDocument | undefined>;
}

/** The request id: the caller's `X-Request-Id` when it is a plain token, a new UUID otherwise (app.setup.ts uses the same). */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The public front: the hottest public reads (certificate verification, the
 * signed credential, status lists, the JWKS) answered by the Node server
 * itself, before Fastify's routing and hooks and Nest's guards, pipes and
 * interceptors, when the request is a plain signed-out GET. Those layers are
 * what the profile of the public lookups showed once the data was one row
 * read (README, Performance): the front serves the same documents, from the
 * same services, with the same headers (the security headers helmet sets,
 * computed once; the same ETag, Cache-Control and Vary; 304 on
 * `If-None-Match` by the `fresh` rules), and writes the same access log line.
 *
 * It answers only what it can answer whole, and hands everything else to
 * the pipeline untouched: another method, a query string, credentials
 * (`Authorization` or any cookie: a signed-in caller may see the holder),
 * a percent-encoded path, and any lookup that does not give a document
 * (unknown or malformed serial: the pipeline answers the error in its one
 * shape). Routes are added once the application is built (configureApp);
 * until then everything goes to the pipeline.
 */
export class PublicFront {
  private routes: FrontRoute[] = [];
  private headers: Record<string, string> = {};
  private log: FastifyBaseLogger | undefined;
  private closing = false;

  /** Starts answering `routes`, with `securityHeaders` on every answer and one access log line per answer on `log`. */
  open(routes: FrontRoute[], securityHeaders: Record<string, string>, log: FastifyBaseLogger): void {
    this.routes = routes;
    this.headers = securityHeaders;
    this.log = log;
  }

  /** While the server stops, answers ask the client to close the connection (main.ts, graceful shutdown). */
  closeConnections(): void {
    this.closing = true;
  }

  /** The server's request listener: answers `req` itself, or passes it to `next` (Fastify's handler). */
  handle(req: IncomingMessage, res: ServerResponse, next: (req: IncomingMessage, res: ServerResponse) => void): void {
    const hit = this.match(req);
    if (!hit) return next(req, res);
    const started = performance.now();
    // A route that throws, even before its first await, hands the request on like one that answers nothing.
    Promise.resolve()
      .then(() => hit.route.answer(hit.value, req))
      .then(
        (doc) => (doc ? this.send(req, res, hit, doc, started) : next(req, res)),
        () => next(req, res),
      );
  }

  private match(req: IncomingMessage): { route: FrontRoute; value: string } | undefined {
    if (req.method !== 'GET' || this.routes.length === 0) return undefined;
    const h = req.headers;
    if (h.authorization !== undefined || h.cookie !== undefined) return undefined;
    const url = req.url ?? '';
    for (const route of this.routes) {
      const m = route.path.exec(url);
      if (m) return { route, value: m[1] ?? '' };
    }
    return undefined;
  }

  private send(
    req: IncomingMessage,
    res: ServerResponse,
    hit: { route: FrontRoute; value: string },
    doc: CacheableDocument,
    started: number,
  ) {
    const id = requestId(req);
    const etag = entityTag(doc.body);
    const headers: Record<string, string | number> = {
      ...this.headers,
      'content-type': doc.type,
      etag,
      'cache-control': doc.cacheControl,
      ...(doc.vary ? { vary: doc.vary } : {}),
      'x-request-id': id,
    };
    if (this.closing) headers.connection = 'close';
    if (fresh(req.headers, { etag })) {
      res.writeHead(304, headers);
      res.end();
    } else {
      headers['content-length'] = Buffer.byteLength(doc.body);
      res.writeHead(200, headers);
      res.end(doc.body);
    }
    // The line the pipeline writes (app.setup.ts, OneLineRequestLog): the route with its identifier, never the query.
    this.log?.info(
      {
        reqId: id,
        req: {
          method: 'GET',
          url: req.url,
          routeOptions: { url: hit.route.pattern },
          params: hit.route.param ? { [hit.route.param]: hit.value } : {},
        },
        res: { statusCode: res.statusCode },
        responseTime: performance.now() - started,
      },
      'request completed',
    );
  }
}
