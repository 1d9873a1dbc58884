import { Body, Controller, Delete, Get, Header, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, type AuthUser } from '../auth/auth-user';
import { PageQuery } from '../common/pagination/pagination';
import { AssignDto, CreateWorkerDto, ImportQuery } from './dto/worker.dto';
import { preferredMediaType } from '../common/http/negotiate';
import { codesCsv, importAnswer, importResultCsv } from './import-answer';
import { WorkersService } from './workers.service';

@ApiTags('workers')
@ApiBearerAuth()
@Controller()
export class WorkersController {
  constructor(private readonly workers: WorkersService) {}

  @Post('organizations/:id/workers')
  @Roles('admin', 'town_staff', 'org_manager')
  create(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CreateWorkerDto) {
    return this.workers.create(user, id, dto);
  }

  @Get('organizations/:id/workers')
  @Roles('admin', 'town_staff', 'org_manager')
  list(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Query() page: PageQuery) {
    return this.workers.list(user, id, page.limit, page.cursor);
  }

  @Post('organizations/:id/workers/import')
  @HttpCode(200)
  @Roles('admin', 'town_staff', 'org_manager')
  @ApiConsumes('text/csv')
  @ApiBody({
    description:
      'CSV (or tab-separated) with header name,email,employeeNumber; UTF-8 with or without BOM, Shift_JIS/CP932, or UTF-16 with BOM (docs/inputs.md)',
  })
  async import(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ImportQuery,
    @Body() body: Buffer,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.workers.import(user, id, body, !!query.includeCodes);
    if (!query.includeCodes) return importAnswer(result);
    // The codes exist in the clear only in this answer: never cached.
    reply.header('cache-control', 'no-store');
    if (preferredMediaType(accept, ['text/csv', 'application/json']) === 'application/json') return importAnswer(result);
    // Everything of any size is in the body; headers carry only counts, so they stay small whatever the file.
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', 'attachment; filename="enrollment-codes.csv"');
    reply.header('x-import-created', String(result.created));
    reply.header('x-import-updated', String(result.updated));
    reply.header('x-import-unchanged', String(result.unchanged));
    reply.header('x-import-error-count', String(result.errorCount));
    return importResultCsv(result);
  }

  @Post('organizations/:id/workers/enrollment-codes')
  @HttpCode(200)
  @Roles('admin', 'town_staff', 'org_manager')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="enrollment-codes.csv"')
  async reissueCodes(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return codesCsv(await this.workers.reissueCodes(user, id));
  }

  @Post('engagements/:id/assignments')
  @HttpCode(200)
  @Roles('org_manager')
  assign(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: AssignDto) {
    return this.workers.assign(user, id, dto.workerIds);
  }

  /** One worker's new enrollment code (earlier ones stop working); the code is in this answer only, never cached. */
  @Post('workers/:id/enrollment-code')
  @HttpCode(200)
  @Roles('admin', 'town_staff', 'org_manager')
  @Header('cache-control', 'no-store')
  reissueCode(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.workers.reissueCode(user, id);
  }

  @Delete('engagements/:id/assignments/:workerId')
  @Roles('org_manager')
  unassign(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Param('workerId', ParseUUIDPipe) workerId: string) {
    return this.workers.unassign(user, id, workerId);
  }
}
