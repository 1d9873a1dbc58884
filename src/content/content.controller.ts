import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ContentService } from './content.service';
import { AppliesWhen, Localized } from './content.types';
import { ModuleQueryDto } from './dto/module-query.dto';

export interface ModuleSummaryView {
  id: string;
  revision: number;
  title: Localized;
  summary: Localized;
  articles: readonly string[];
  estimatedMinutes: number;
  appliesWhen: AppliesWhen;
}

export interface ModuleView {
  id: string;
  revision: number;
  title: string;
  lessonHtml: string;
  drawSize: number;
  passMark: number;
  estimatedMinutes: number;
  articles: readonly string[];
  contentHash: string;
}

/** The catalog and the lessons. Questions are served only through attempts, never here. */
@ApiTags('training')
@Controller('modules')
export class ContentController {
  constructor(private readonly content: ContentService) {}

  @Get()
  @ApiOperation({ summary: 'The module catalog, in curriculum order' })
  list(): ModuleSummaryView[] {
    return this.content.list().map((m) => ({
      id: m.id,
      revision: m.revision,
      title: { ...m.title },
      summary: { ...m.summary },
      articles: m.articles,
      estimatedMinutes: m.estimatedMinutes,
      appliesWhen: m.appliesWhen,
    }));
  }

  @Get(':id')
  @ApiOperation({ summary: "A module's lesson in one language" })
  @ApiNotFoundResponse({ description: 'Module <id> not found' })
  get(@Param('id') id: string, @Query() query: ModuleQueryDto): ModuleView {
    const m = this.content.get(id);
    const lang = query.lang ?? 'ja';
    return {
      id: m.id,
      revision: m.revision,
      title: m.title[lang],
      lessonHtml: m.lessonHtml[lang],
      drawSize: m.drawSize,
      passMark: m.passMark,
      estimatedMinutes: m.estimatedMinutes,
      articles: m.articles,
      contentHash: m.contentHash,
    };
  }
}
