import { Module } from '@nestjs/common';
import { ContentModule } from '../content/content.module';
import { CertificateSigner } from './certificate-signer.service';
import { CertificatesController } from './certificates.controller';
import { CertificatesService } from './certificates.service';
import { SigningKeysService } from './credential/signing-keys.service';
import { IssuanceService } from './issuance.service';
import { WellKnownController } from './well-known.controller';

/**
 * The JSON API of certificates (mounted under /api/v1), and issuance, which
 * training (a pass) and engagements (an approval) call in their transactions;
 * the printable certificate is a page of src/web/.
 */
@Module({
  imports: [ContentModule],
  controllers: [CertificatesController],
  providers: [CertificatesService, IssuanceService, CertificateSigner, SigningKeysService],
  exports: [CertificatesService, IssuanceService, SigningKeysService],
})
export class CertificatesModule {}

/**
 * The documents a signed credential points to, served at the root because
 * their URLs are inside every credential issued: the JWKS, each key by its
 * thumbprint, the JSON-LD context. Not pages: no words, no session.
 */
@Module({ imports: [CertificatesModule], controllers: [WellKnownController] })
export class WellKnownModule {}
