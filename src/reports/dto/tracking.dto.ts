import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../common/pagination/pagination';

export const PROGRESS_FILTERS = ['not_enrolled', 'not_started', 'in_progress', 'certified', 'expiring', 'overdue'] as const;
export type ProgressFilter = (typeof PROGRESS_FILTERS)[number];

export class ProgressQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PROGRESS_FILTERS, description: '`certified` includes those expiring within 30 days' })
  @IsOptional()
  @IsIn(PROGRESS_FILTERS)
  status?: ProgressFilter;

  @ApiPropertyOptional() @IsOptional() @IsUUID() organizationId?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'] }) @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';

  @ApiPropertyOptional({ enum: ['ja', 'en'], default: 'ja' }) @IsOptional() @IsIn(['ja', 'en']) lang: 'ja' | 'en' = 'ja';
}

export class ReportQuery {
  @ApiPropertyOptional({ enum: ['ja', 'en'], default: 'ja' }) @IsOptional() @IsIn(['ja', 'en']) lang: 'ja' | 'en' = 'ja';
}
