import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { LANGS } from '../content.types';
import type { Lang } from '../content.types';

/** `?lang=ja|en` on a module's lesson; Japanese when absent. */
export class ModuleQueryDto {
  @ApiPropertyOptional({ enum: LANGS, default: 'ja' })
  @IsOptional()
  @IsIn(LANGS, { message: 'lang must be ja or en' })
  lang: Lang = 'ja';
}
