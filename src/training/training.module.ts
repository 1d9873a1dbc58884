import { Module } from '@nestjs/common';
import { ContentModule } from '../content/content.module';
import { TrainingController } from './training.controller';
import { TrainingService } from './training.service';

@Module({ imports: [ContentModule], controllers: [TrainingController], providers: [TrainingService], exports: [TrainingService] })
export class TrainingModule {}
