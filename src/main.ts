import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, createAdapter } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';
import { SetupService } from './setup/setup.service';
import { ContentError } from './content/content-loader';
import { setFlagsFromString } from 'node:v8';
import { todayJst } from './common/dates';
import { nodeRuntimeFacts, runtimeWarning } from './system/runtime';

// Let the heap grow to 1.5 times what is live between full collections, not the up to 4 times V8
// allows on a machine with plenty of memory: the service then stays around 200 MB resident under
// load instead of drifting past 300 MB, for no measurable throughput (README, Performance).
setFlagsFromString('--heap-growing-percent=50');

async function bootstrap() {
  const config = loadConfig();
  // Article 9-2: say it loudly when the runtime itself is out of vendor support.
  const unsupported = runtimeWarning(nodeRuntimeFacts(process.versions.node, todayJst()));
  if (unsupported) new Logger('Runtime').warn(unsupported);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), createAdapter(config), {
    abortOnError: false,
  });
  await configureApp(app);
  const setup = app.get(SetupService);
  await setup.ensureAdmin();
  if (process.argv.includes('--demo')) await setup.seedDemo();
  await app.listen(config.port, config.host);
  app.get(SetupService).announce(`article4-lms listening on ${config.publicBaseUrl} (${config.databaseKind})`);
}

bootstrap().catch((err: unknown) => {
  // A configuration or content error is the operator's to fix: one line, no stack.
  if (err instanceof ConfigError || err instanceof ContentError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
