// `npm run keys:rotate`: new keys (Ed25519 and P-256, unless given by a setting) sign from now on; every older public key stays in the JWKS.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../app.module';
import { loadConfig } from '../../config/app-config';
import { SigningKeysService } from './signing-keys.service';

async function main() {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const kids = await app.get(SigningKeysService).rotate();
    console.log(`New signing keys ${kids.join(', ')}. Restart the other instances so they sign with them too.`);
  } finally {
    await app.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
