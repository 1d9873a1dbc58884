import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import handlebars from 'handlebars';
import { readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { FastifyReply, FastifyRequest, LogController } from 'fastify';
import pino, { type DestinationStream } from 'pino';
import { BODY_LIMIT } from './common/input/body';
import { registerInputLayer } from './common/input/input-layer';
import { loggedPath, type LoggableRequest } from './common/http/logged-path';
import { PublicFront, requestId } from './common/http/public-front';
import { securityHeaders } from './common/http/security-headers';
import { CertificatesService } from './certificates/certificates.service';
import { publicFrontRoutes } from './certificates/public-documents';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { renderErrorPage } from './web/error-page';
import { baseContext } from './web/page-context';
import { registerViewHelpers } from './web/view-helpers';

export const ROOT_DIR = join(__dirname, '..');

/** The public front of each Fastify instance (created with the adapter, opened by configureApp). */
const fronts = new WeakMap<object, PublicFront>();

/** The public front in front of this application's server (main.ts asks it to close connections on shutdown). */
export function publicFrontOf(app: NestFastifyApplication): PublicFront | undefined {
  return fronts.get(app.getHttpAdapter().getInstance());
}

/**
 * The Fastify adapter with its logger. One line per request, written when
 * the answer is sent: the request id, method, path, status and time taken;
 * never bodies, headers, addresses or the query string, and the path only as
 * its route with identifiers (loggedPath), so no personal data reaches the log. (Fastify's own request logging writes two lines, one on
 * arrival and one on completion: twice the cost for the same facts.)
 */
export function createAdapter(config: AppConfig, logStream?: DestinationStream): FastifyAdapter {
  const front = new PublicFront();
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    // Only the named reverse proxies may say who the client is (X-Forwarded-For); by default nobody.
    // (A hop count is valid for Fastify 5; NestJS 12's option type leaves numbers out.)
    trustProxy: config.trustProxy as boolean | string | string[],
    requestIdHeader: false,
    genReqId: requestId,
    // The Node server Fastify would create, with the public front as its first listener (public-front.ts). Fastify
    // sets these server options itself only on a server it creates.
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void, opts: Record<string, unknown>) => {
      const options = opts as unknown as ServerOptions;
      const server = createServer((req, res) => front.handle(req, res, handler));
      server.keepAliveTimeout = options.keepAliveTimeout;
      server.requestTimeout = options.requestTimeout;
      server.setTimeout(options.connectionTimeout);
      return server;
    },
    logController: new OneLineRequestLog(),
    logger: {
      level: config.logLevel,
      // Without a given stream, stdout is written asynchronously: under load the lines of many requests
      // leave in one write instead of one blocking write each; pending lines are flushed at exit.
      ...(logStream ? { stream: logStream } : config.logLevel !== 'silent' ? { stream: pino.destination({ dest: 1, sync: false }) } : {}),
      serializers: {
        req: (req: LoggableRequest & { method: string }) => ({ method: req.method, path: loggedPath(req) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  });
  fronts.set(adapter.getInstance(), front);
  return adapter;
}

/** The server options Fastify hands to a server factory (its defaults filled in). */
interface ServerOptions {
  keepAliveTimeout: number;
  requestTimeout: number;
  connectionTimeout: number;
}

/** Fastify's request logging with nothing on arrival and everything on completion. */
class OneLineRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/**
 * Everything about the HTTP surface that is not a route: used by main.ts and
 * by every test app, so tests see the same pipes, filters, views and headers.
 */
export async function configureApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  const fastify = app.getHttpAdapter().getInstance();
  const config = app.get<AppConfig>(APP_CONFIG);

  registerInputLayer(app);

  await app.register(fastifyCookie as any);
  registerViewHelpers(handlebars);
  await app.register(fastifyView as any, {
    engine: { handlebars },
    root: join(ROOT_DIR, 'views'),
    layout: 'layouts/main.hbs',
    viewExt: 'hbs',
    includeViewExtension: true,
    // Every file in views/partials is a partial under its own name ({{> field}}).
    options: { partials: viewPartials(join(ROOT_DIR, 'views', 'partials')) },
    // Templates compiled once; NODE_ENV=development re-reads them on every render while editing.
    production: process.env.NODE_ENV !== 'development',
  });
  // The pages' CSS and the one script (no inline script or style: see the CSP below).
  await app.register(fastifyStatic as any, { root: join(ROOT_DIR, 'public'), prefix: '/assets/', decorateReply: false, maxAge: 3600_000 });
  // AllExceptionsFilter renders a browser's errors with this: an error page, or the sign-in page when signed out.
  fastify.decorateReply('renderError', renderErrorPage);
  // Every view (also other features' pages) knows the language and the path for the language switch.
  fastify.addHook('preHandler', async (req, reply) => {
    (reply as unknown as { locals: Record<string, unknown> }).locals = { ...baseContext(req, reply), csrf: '' };
  });

  const securityHeaders = registerSecurityHeaders(app, config);
  fronts.get(fastify)?.open(publicFrontRoutes(app.get(CertificatesService)), securityHeaders, fastify.log);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('article4-lms')
      .setDescription('Article 4 security-awareness training and attestation (情報セキュリティに関する特記事項 第4)')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  app.enableShutdownHooks();
  return app;
}

/**
 * `Cache-Control: no-store` on every response that does not set its own: API
 * answers and pages carry personal data (names, e-mails, codes, reports) and
 * must never sit in a shared or browser cache. The few public, cacheable
 * routes (credentials, verification, status lists, JWKS, assets) set their
 * own Cache-Control (docs/caching.md). The security headers
 * (security-headers.ts) are decided once; the public front sends the same
 * set. Returns the set for everything.
 */
function registerSecurityHeaders(app: NestFastifyApplication, config: AppConfig): Record<string, string> {
  const fastify = app.getHttpAdapter().getInstance();
  const https = config.publicBaseUrl.startsWith('https://');
  const everywhere = securityHeaders({ https });
  const swaggerUi = securityHeaders({ https, swaggerUi: true });
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.headers(req.url.startsWith('/api/docs') ? swaggerUi : everywhere);
    done();
  });
  fastify.addHook('onSend', (req, reply, _payload, done) => {
    reply.header('x-request-id', String(req.id));
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done();
  });
  return everywhere;
}

/** `{ name: 'partials/name.hbs' }` for every .hbs file in the partials folder. */
function viewPartials(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.hbs'))
      .map((f) => [basename(f, '.hbs'), `partials/${f}`]),
  );
}
