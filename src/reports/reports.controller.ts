import { Controller, Get, Headers, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, type AuthUser } from '../auth/auth-user';
import { ContentService } from '../content/content.service';
import { progressCsv } from '../web/progress-csv';
import { Article11Service } from './article11.service';
import { ProgressQuery } from './dto/tracking.dto';
import { TrackingService } from './tracking.service';

@ApiTags('tracking')
@ApiBearerAuth()
@Controller('engagements/:id')
export class ReportsController {
  constructor(
    private readonly tracking: TrackingService,
    private readonly article11: Article11Service,
    private readonly content: ContentService,
  ) {}

  /** JSON by default; CSV for `Accept: text/csv` or `?format=csv`. */
  @Get('progress')
  @Roles('admin', 'town_staff', 'org_manager')
  @ApiProduces('application/json', 'text/csv')
  async progress(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() q: ProgressQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const csv = q.format === 'csv' || (q.format !== 'json' && (accept ?? '').includes('text/csv'));
    if (!csv) return this.tracking.progress(user, id, q);
    // The CSV is a document in words (headers, statuses): written by web/, from the service's data.
    const body = progressCsv(await this.tracking.progressExport(user, id, q), q.lang, this.content);
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="progress-${id}.csv"`);
    return body;
  }

  @Get('readiness')
  @Roles('admin', 'town_staff', 'org_manager')
  readiness(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.tracking.readiness(user, id);
  }

  /** The Article 11 report as data, with its SHA-256 digest. */
  @Get('report')
  @Roles('admin', 'town_staff', 'org_manager')
  async report(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    // Streamed (Article11Service.reportStream): the report at 100,000 workers is never held whole.
    reply.header('content-type', 'application/json; charset=utf-8');
    return this.article11.reportStream(user, id);
  }
}
