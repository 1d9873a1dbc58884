import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

export const ANALYSED_ATTEMPTS = ['first', 'all'] as const;
export type AnalysedAttempts = (typeof ANALYSED_ATTEMPTS)[number];

/** `?revision=&attempts=&format=&lang=` of the item analysis. */
export class ItemAnalysisQuery {
  @ApiPropertyOptional({ description: "the module's revision; default its current one", minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  revision?: number;

  @ApiPropertyOptional({
    enum: ANALYSED_ATTEMPTS,
    default: 'first',
    description: "`first`: each worker's first graded sitting at the revision (Moodle's default); `all`: every graded sitting",
  })
  @IsOptional()
  @IsIn(ANALYSED_ATTEMPTS)
  attempts: AnalysedAttempts = 'first';

  @ApiPropertyOptional({ enum: ['json', 'csv'] }) @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';

  @ApiPropertyOptional({ enum: ['ja', 'en'], default: 'ja', description: 'CSV headers and texts' })
  @IsOptional()
  @IsIn(['ja', 'en'])
  lang: 'ja' | 'en' = 'ja';
}
