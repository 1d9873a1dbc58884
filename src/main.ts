import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, createAdapter } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';
import { SetupService } from './setup/setup.service';
import { ContentError } from './content/content-loader';

async function bootstrap() {
  const config = loadConfig();
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), createAdapter(config), {
    abortOnError: false,
  });
  await configureApp(app);
  const setup = app.get(SetupService);
  await setup.ensureAdmin();
  if (process.argv.includes('--demo')) await setup.seedDemo();
  await app.listen(config.port, '0.0.0.0');
  app.get(SetupService).announce(`article4-lms listening on ${config.publicBaseUrl} (${config.databaseKind})`);
}

bootstrap().catch((err: unknown) => {
  // A configuration or content error is the operator's to fix: one line, no stack.
  if (err instanceof ConfigError || err instanceof ContentError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
