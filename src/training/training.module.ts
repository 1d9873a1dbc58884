import { Module } from '@nestjs/common';
import { CertificatesModule } from '../certificates/certificates.module';
import { ContentModule } from '../content/content.module';
import { TrainingController } from './training.controller';
import { TrainingService } from './training.service';

@Module({
  imports: [ContentModule, CertificatesModule],
  controllers: [TrainingController],
  providers: [TrainingService],
  exports: [TrainingService],
})
export class TrainingModule {}
