import { Module } from '@nestjs/common';
import { ContentModule } from '../content/content.module';
import { EngagementsController } from './engagements.controller';
import { EngagementsService } from './engagements.service';

@Module({ imports: [ContentModule], controllers: [EngagementsController], providers: [EngagementsService], exports: [EngagementsService] })
export class EngagementsModule {}
