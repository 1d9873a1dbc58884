import { Module } from '@nestjs/common';
import { ContentModule } from '../content/content.module';
import { SetupService } from './setup.service';

@Module({ imports: [ContentModule], providers: [SetupService], exports: [SetupService] })
export class SetupModule {}
