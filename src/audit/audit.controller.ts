import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, type AuthUser } from '../auth/auth-user';
import { AuditService } from './audit.service';
import { AuditQuery } from './dto/audit-query.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('audit-events')
  @Roles('town_staff', 'admin')
  list(@CurrentUser() user: AuthUser, @Query() query: AuditQuery) {
    return this.audit.list(user, {
      engagementId: query.engagementId,
      actorId: query.actorId,
      action: query.action,
      from: query.from,
      to: query.to,
      limit: query.limit,
      cursor: query.cursor,
    });
  }
}
