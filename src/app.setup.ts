import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import handlebars from 'handlebars';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FastifyReply, FastifyRequest, LogController } from 'fastify';
import pino, { type DestinationStream } from 'pino';
import { BODY_LIMIT } from './common/input/body';
import { registerInputLayer } from './common/input/input-layer';
import { loggedPath, type LoggableRequest } from './common/http/logged-path';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { renderErrorPage } from './web/error-page';
import { baseContext } from './web/page-context';
import { registerViewHelpers } from './web/view-helpers';

export const ROOT_DIR = join(__dirname, '..');

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The Fastify adapter with its logger. One line per request, written when
 * the answer is sent: the request id, method, path, status and time taken;
 * never bodies, headers, addresses or the query string, and the path only as
 * its route with identifiers (loggedPath), so no personal data reaches the log. (Fastify's own request logging writes two lines, one on
 * arrival and one on completion: twice the cost for the same facts.)
 */
export function createAdapter(config: AppConfig, logStream?: DestinationStream): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    // Only the named reverse proxies may say who the client is (X-Forwarded-For); by default nobody.
    // (A hop count is valid for Fastify 5; NestJS 12's option type leaves numbers out.)
    trustProxy: config.trustProxy as boolean | string | string[],
    requestIdHeader: false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
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

  await registerSecurityHeaders(app, config);

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

/** Our pages run no inline script or style, load nothing from elsewhere, and may not be framed. */
const CSP = {
  defaultSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  styleSrc: ["'self'"],
  scriptSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
};
/** Swagger UI (/api/docs) styles itself inline; everything else as strict as our pages. */
const SWAGGER_CSP = { ...CSP, styleSrc: ["'self'", "'unsafe-inline'"] };

/**
 * Security headers through helmet (CSP, frame-ancestors and X-Frame-Options,
 * Referrer-Policy, nosniff, and HSTS when PUBLIC_BASE_URL is https), and
 * `Cache-Control: no-store` on every response that does not set its own: API
 * answers and pages carry personal data (names, e-mails, codes, reports) and
 * must never sit in a shared or browser cache. The few public, cacheable
 * routes (credentials, verification, status lists, JWKS, assets) set their
 * own Cache-Control (docs/caching.md).
 *
 * helmet's middleware is built once here, one for everything and one for
 * Swagger UI: @fastify/helmet, used before, built it anew on every request
 * (CSP directives parsed each time), which the profile of the public
 * lookups showed (README, Performance).
 */
async function registerSecurityHeaders(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const https = config.publicBaseUrl.startsWith('https://');
  const options = {
    contentSecurityPolicy: { useDefaults: false, directives: CSP },
    // RFC 6797: only over https; the service does not know its sibling hosts, so no includeSubDomains.
    strictTransportSecurity: https ? { maxAge: 31536000, includeSubDomains: false } : (false as const),
    referrerPolicy: { policy: 'same-origin' as const },
    xFrameOptions: { action: 'deny' as const },
  };
  const everywhere = helmet(options);
  const swaggerUi = helmet({ ...options, contentSecurityPolicy: { useDefaults: false, directives: SWAGGER_CSP } });
  fastify.addHook('onRequest', (req, reply, done) => {
    (req.url.startsWith('/api/docs') ? swaggerUi : everywhere)(req.raw, reply.raw, (err?: unknown) => done(err as Error | undefined));
  });
  fastify.addHook('onSend', (req, reply, _payload, done) => {
    reply.header('x-request-id', String(req.id));
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done();
  });
}

/** `{ name: 'partials/name.hbs' }` for every .hbs file in the partials folder. */
function viewPartials(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.hbs'))
      .map((f) => [basename(f, '.hbs'), `partials/${f}`]),
  );
}
