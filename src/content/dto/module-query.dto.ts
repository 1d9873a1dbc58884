import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { fieldRuleMessage } from '../../common/errors/words';
import { LANGS } from '../content.types';
import type { Lang } from '../content.types';

/** `?lang=ja|en` on a module's lesson; Japanese when absent. */
export class ModuleQueryDto {
  @ApiPropertyOptional({ enum: LANGS, default: 'ja' })
  @IsOptional()
  @IsIn(LANGS, { message: fieldRuleMessage('lang') })
  lang: Lang = 'ja';
}
