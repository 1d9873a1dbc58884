import { Module } from '@nestjs/common';
import { ContentModule } from '../content/content.module';
import { EngagementsModule } from '../engagements/engagements.module';
import { TrainingModule } from '../training/training.module';
import { CertificatePagesController } from './certificate-pages.controller';
import { CertificatesController } from './certificates.controller';
import { CertificatesService } from './certificates.service';
import { SigningKeysService } from './credential/signing-keys.service';
import { WellKnownController } from './well-known.controller';

/** The JSON API of certificates (mounted under /api/v1). */
@Module({
  imports: [ContentModule, TrainingModule, EngagementsModule],
  controllers: [CertificatesController],
  providers: [CertificatesService, SigningKeysService],
  exports: [CertificatesService],
})
export class CertificatesModule {}

/** The root-level routes of certificates: JWKS and the pages. */
@Module({ imports: [CertificatesModule, ContentModule], controllers: [WellKnownController, CertificatePagesController] })
export class CertificatePagesModule {}
