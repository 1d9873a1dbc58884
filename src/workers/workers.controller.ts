import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, type AuthUser } from '../auth/auth-user';
import { PageQuery } from '../common/pagination/pagination';
import { AssignDto, CreateWorkerDto, ImportQuery } from './dto/worker.dto';
import { codesCsv, WorkersService } from './workers.service';

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
  @ApiBody({ description: 'CSV with header name,email,employeeNumber; UTF-8 (with or without BOM) or Shift_JIS/CP932' })
  async import(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ImportQuery,
    @Body() body: Buffer,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.workers.import(user, id, body, !!query.includeCodes);
    if (!query.includeCodes) return result;
    // The codes exist in the clear only in this answer; summary counts travel in headers.
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', 'attachment; filename="enrollment-codes.csv"');
    reply.header('x-import-created', String(result.created));
    reply.header('x-import-updated', String(result.updated));
    reply.header('x-import-errors', JSON.stringify(result.errors));
    return codesCsv(result.codes ?? []);
  }

  @Post('organizations/:id/workers/enrollment-codes')
  @HttpCode(200)
  @Roles('admin', 'town_staff', 'org_manager')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="enrollment-codes.csv"')
  reissueCodes(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.workers.reissueCodes(user, id);
  }

  @Post('engagements/:id/assignments')
  @HttpCode(200)
  @Roles('org_manager')
  assign(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() dto: AssignDto) {
    return this.workers.assign(user, id, dto.workerIds);
  }
}
