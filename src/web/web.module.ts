import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CertificatesModule } from '../certificates/certificates.module';
import { CloseOutModule } from '../close-out/close-out.module';
import { CloseOutPagesController } from './close-out-pages.controller';
import { ContentModule } from '../content/content.module';
import { EngagementsModule } from '../engagements/engagements.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { ReportsModule } from '../reports/reports.module';
import { SystemModule } from '../system/system.module';
import { TrainingModule } from '../training/training.module';
import { WorkersModule } from '../workers/workers.module';
import { AuditPagesController } from './audit-pages.controller';
import { AuthPagesController } from './auth-pages.controller';
import { CertificateDocumentPagesController } from './certificate-document-pages.controller';
import { ContentPagesController } from './content-pages.controller';
import { AccountPagesController } from './account-pages.controller';
import { OutboxPagesController } from './outbox-pages.controller';
import { RemindersModule } from '../mail/mail.module';
import { CsrfGuard } from './csrf';
import { ItemAnalysisModule } from '../item-analysis/item-analysis.module';
import { ManagerPagesController } from './manager-pages.controller';
import { OrganizationPagesController } from './organization-pages.controller';
import { Pages } from './pages.service';
import { ReadinessPage } from './readiness-page';
import { ReportPagesController } from './report-pages.controller';
import { TownCertificatePagesController } from './town-certificate-pages.controller';
import { TownPagesController } from './town-pages.controller';
import { TrackingPagesController } from './tracking-pages.controller';
import { VerifyPagesController } from './verify-pages.controller';
import { WorkerPagesController } from './worker-pages.controller';

/**
 * The server-rendered web application, over the same services as the API
 * (which keep every access rule): every page controller, the printable
 * certificate and Article 11 report included. Views live in views/, CSS and
 * the upload script in public/ (served at /assets/).
 */
@Module({
  imports: [
    AuthModule,
    ContentModule,
    TrainingModule,
    WorkersModule,
    EngagementsModule,
    OrganizationsModule,
    CertificatesModule,
    ReportsModule,
    SystemModule,
    ItemAnalysisModule,
    RemindersModule,
    CloseOutModule,
  ],
  controllers: [
    AuthPagesController,
    AccountPagesController,
    OutboxPagesController,
    WorkerPagesController,
    ManagerPagesController,
    OrganizationPagesController,
    TownPagesController,
    TownCertificatePagesController,
    AuditPagesController,
    CloseOutPagesController,
    TrackingPagesController,
    VerifyPagesController,
    CertificateDocumentPagesController,
    ReportPagesController,
    ContentPagesController,
  ],
  providers: [Pages, CsrfGuard, ReadinessPage],
})
export class WebModule {}
