import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../common/pagination/pagination';
import { IsDateOnly } from '../../common/validation/is-date-only';
import { AUDIT_ACTIONS, type AuditAction } from '../audit-actions';

/** Narrowing the trail: by actor (a user id), kind of event and JST calendar days (inclusive). */
export class AuditFilterQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'events by this user account' })
  @IsOptional()
  @IsUUID()
  actorId?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: AuditAction;

  @ApiPropertyOptional({ description: 'from this JST day (YYYY-MM-DD), inclusive' })
  @IsOptional()
  @IsDateOnly()
  from?: string;

  @ApiPropertyOptional({ description: 'to this JST day (YYYY-MM-DD), inclusive' })
  @IsOptional()
  @IsDateOnly()
  to?: string;
}

export class AuditQuery extends AuditFilterQuery {
  @ApiPropertyOptional({ description: "one engagement's events; required for town staff" })
  @IsOptional()
  @IsUUID()
  engagementId?: string;
}
