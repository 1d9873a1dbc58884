import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../common/pagination/pagination';

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ description: "one engagement's events; required for town staff" })
  @IsOptional()
  @IsUUID()
  engagementId?: string;
}
