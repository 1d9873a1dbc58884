import { Module } from '@nestjs/common';
import { CertificatesModule } from '../certificates/certificates.module';
import { ContentModule } from '../content/content.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { EngagementsController } from './engagements.controller';
import { EngagementsService } from './engagements.service';

@Module({
  imports: [ContentModule, OrganizationsModule, CertificatesModule],
  controllers: [EngagementsController],
  providers: [EngagementsService],
  exports: [EngagementsService],
})
export class EngagementsModule {}
