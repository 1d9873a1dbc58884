import { Module } from '@nestjs/common';
import { ContentModule } from '../content/content.module';
import { EngagementsModule } from '../engagements/engagements.module';
import { TrainingModule } from '../training/training.module';
import { CertificatesController } from './certificates.controller';
import { CertificatesService } from './certificates.service';
import { SigningKeysService } from './credential/signing-keys.service';
import { WellKnownController } from './well-known.controller';

/** The JSON API of certificates (mounted under /api/v1); the printable certificate is a page of src/web/. */
@Module({
  imports: [ContentModule, TrainingModule, EngagementsModule],
  controllers: [CertificatesController],
  providers: [CertificatesService, SigningKeysService],
  exports: [CertificatesService],
})
export class CertificatesModule {}

/**
 * The documents a signed credential points to, served at the root because
 * their URLs are inside every credential issued: the JWKS, each key by its
 * thumbprint, the JSON-LD context. Not pages: no words, no session.
 */
@Module({ imports: [CertificatesModule], controllers: [WellKnownController] })
export class WellKnownModule {}
