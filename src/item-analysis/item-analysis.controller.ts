import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, type AuthUser } from '../auth/auth-user';
import { itemAnalysisCsv } from '../web/item-analysis-views';
import { ItemAnalysisQuery } from './dto/item-analysis-query.dto';
import { ItemAnalysisService } from './item-analysis.service';

/** The item analysis of a module's questions, for the admin and content authors (docs/item-analysis.md). */
@ApiTags('content')
@ApiBearerAuth()
@Roles('admin', 'content_author')
@Controller('modules/:id/item-analysis')
export class ItemAnalysisController {
  constructor(private readonly analysis: ItemAnalysisService) {}

  /** JSON by default; CSV (UTF-8 with BOM, headers in `lang`) for `Accept: text/csv` or `?format=csv`. */
  @Get()
  @ApiOperation({ summary: 'Facility, discrimination and choice frequencies of each question, from graded sittings' })
  @ApiProduces('application/json', 'text/csv')
  async get(
    @CurrentUser() user: AuthUser,
    @Param('id') moduleId: string,
    @Query() q: ItemAnalysisQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const analysis = await this.analysis.analyse(user, moduleId, q);
    const csv = q.format === 'csv' || (q.format !== 'json' && (accept ?? '').includes('text/csv'));
    if (!csv) return analysis;
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="item-analysis-${analysis.moduleId}-r${analysis.revision}.csv"`);
    return itemAnalysisCsv(analysis, q.lang);
  }
}
