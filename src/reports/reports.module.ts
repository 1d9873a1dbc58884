import { Module } from '@nestjs/common';
import { ContentModule } from '../content/content.module';
import { SystemModule } from '../system/system.module';
import { Article11Service } from './article11.service';
import { ReportsController } from './reports.controller';
import { TrackingService } from './tracking.service';

/** Progress, readiness and the Article 11 report (mounted under /api/v1); the printable report is a page of src/web/. */
@Module({
  imports: [ContentModule, SystemModule],
  controllers: [ReportsController],
  providers: [TrackingService, Article11Service],
  exports: [TrackingService, Article11Service],
})
export class ReportsModule {}
