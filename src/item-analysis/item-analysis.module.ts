import { Module } from '@nestjs/common';
import { ContentModule } from '../content/content.module';
import { ItemAnalysisController } from './item-analysis.controller';
import { ItemAnalysisService } from './item-analysis.service';

/** Item analysis of the question banks (mounted under /api/v1; the pages are in src/web/). */
@Module({
  imports: [ContentModule],
  controllers: [ItemAnalysisController],
  providers: [ItemAnalysisService],
  exports: [ItemAnalysisService],
})
export class ItemAnalysisModule {}
