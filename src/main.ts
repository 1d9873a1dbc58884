import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, createAdapter, publicFrontOf } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';
import { SetupService } from './setup/setup.service';
import { ContentError } from './content/content-loader';
import { setFlagsFromString } from 'node:v8';
import { todayJst } from './common/dates';
import { nodeRuntimeFacts, runtimeWarning } from './system/runtime';
import { startMallocTrim } from './system/malloc-trim';

// Let the heap grow to 1.2 times what is live between full collections, not the up to 4 times V8
// allows on a machine with plenty of memory: a 100,000-worker export holds about 120 MB live, and the
// service then stays under 300 MB resident instead of passing 400 MB, for a few more full collections
// (README, Performance). The young generation's bound is a start flag (package.json `config.node_flags`).
setFlagsFromString('--heap-growing-percent=20');
// No allocation-site pretenuring: when V8 sees most objects of an allocation site survive one scavenge, it
// allocates that site's later objects straight into the old generation. An export's page (its rows, their
// module lists, the CSV lines) is alive for tens of milliseconds, long enough to survive a scavenge now and
// then, so V8 pretenured those sites and every later page went to the old generation as garbage: 0.6–1 GB
// through the old generation per 100,000-worker export, a full collection every second, and the resident
// size 40–70 MB higher at its peak. Without it such objects die young, as they are (issue 17, README,
// Performance: a sampling heap profile of objects collected by full collections).
setFlagsFromString('--no-allocation-site-pretenuring');

async function bootstrap() {
  const config = loadConfig();
  // Article 9-2: say it loudly when the runtime itself is out of vendor support.
  const unsupported = runtimeWarning(nodeRuntimeFacts(process.versions.node, todayJst()));
  if (unsupported) new Logger('Runtime').warn(unsupported);
  startMallocTrim(config.mallocTrimSeconds);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), createAdapter(config), {
    abortOnError: false,
  });
  await configureApp(app);
  const setup = app.get(SetupService);
  await setup.ensureAdmin();
  const demo = process.argv.includes('--demo');
  if (demo) await setup.seedDemo();
  stopOnSignals(app, (line) => setup.announce(line));
  // The demo's accounts share one published password: serve them to this machine only unless HOST says otherwise.
  await app.listen(config.port, demo && process.env.HOST === undefined ? '127.0.0.1' : config.host);
  setup.announce(`article4-lms listening on ${config.publicBaseUrl} (${config.databaseKind})`);
  setup.announce(
    config.smtpUrl
      ? `E-mail: sent through the relay in SMTP_URL; the outbox is at ${config.publicBaseUrl}/admin/outbox (admin)`
      : `E-mail: SMTP_URL is not set, so messages are not sent: they wait in the outbox at ${config.publicBaseUrl}/admin/outbox (sign in as the admin)`,
  );
}

/** How long requests in flight get after SIGTERM before the process exits anyway (a load balancer's usual grace is 30 s). */
const SHUTDOWN_GRACE_MS = 25_000;

/**
 * Graceful shutdown on SIGTERM (or Ctrl-C): stop accepting connections,
 * let the requests in flight finish, close the database pool (Nest's close:
 * the HTTP server first, then the data source), and let the process end by
 * itself, exit code 0; still running after SHUTDOWN_GRACE_MS: exit code 1.
 * A repeated signal changes nothing (a supervisor may signal the process and
 * its group, `npm start` forwards Ctrl-C). Registers a Fastify hook, so it is
 * called before listen.
 */
function stopOnSignals(app: NestFastifyApplication, announce: (line: string) => void): void {
  let stopping = false;
  // Node's server.close() closes the connections idle at that moment; a keep-alive connection whose
  // request was in flight would stay open after its response until the keep-alive timeout (72 s).
  // Answers sent while stopping say `Connection: close`, so the client and Node close it at once.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (_request, reply) => {
      if (stopping) reply.header('connection', 'close');
    });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    publicFrontOf(app)?.closeConnections();
    announce(`${signal}: no longer accepting connections; finishing the requests in flight`);
    setTimeout(() => {
      console.error(`Still busy ${SHUTDOWN_GRACE_MS / 1000} s after ${signal}; exiting`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    app.close().then(
      () => announce('article4-lms stopped'),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

bootstrap().catch((err: unknown) => {
  // A configuration or content error is the operator's to fix: one line, no stack.
  if (err instanceof ConfigError || err instanceof ContentError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
