import { Module } from '@nestjs/common';
import { CertificatesModule } from '../certificates/certificates.module';
import { ReportsModule } from '../reports/reports.module';
import { CloseOutController } from './close-out.controller';
import { CloseOutService } from './close-out.service';

/** Close-out and erasure (mounted under /api/v1); calls reports (Article 11) and certificates (the signing key); nothing imports it but web/. */
@Module({
  imports: [ReportsModule, CertificatesModule],
  controllers: [CloseOutController],
  providers: [CloseOutService],
  exports: [CloseOutService],
})
export class CloseOutModule {}
