import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsOptional, IsUUID } from 'class-validator';
import { EmailField, FuriganaField, TextField } from '../../common/input/fields';

/** A worker's name: at most 200 characters, kept as written (half-width katakana, 髙, 﨑 and 福 included). */
export const WORKER_NAME_MAX = 200;
export const EMPLOYEE_NUMBER_MAX = 50;

export class CreateWorkerDto {
  @ApiProperty({ example: '山田　太郎', description: 'kept as written; no control characters' })
  @TextField({ max: WORKER_NAME_MAX })
  name: string;

  @ApiPropertyOptional({
    example: 'ヤマダ　タロウ',
    description: 'フリガナ: katakana or hiragana, half or full width; stored as full-width katakana (ヤマダ タロウ); empty for none',
  })
  @IsOptional()
  @FuriganaField()
  furigana?: string;

  @ApiProperty({ example: 'yamada@example.jp', description: 'full-width characters are normalized (NFKC) and the address lower-cased' })
  @EmailField()
  email: string;

  @ApiPropertyOptional({ example: 'E0001', description: 'NFKC: full-width digits and letters become ASCII' })
  @IsOptional()
  @TextField({ min: 0, max: EMPLOYEE_NUMBER_MAX, nfkc: true })
  employeeNumber?: string;
}

export class ImportQuery {
  @ApiPropertyOptional({
    description:
      'also answer the new enrollment codes: as JSON `{created, updated, unchanged, errorCount, errors, codes}` when the client accepts application/json first, else as CSV (codes and error lines as rows)',
  })
  @IsOptional()
  @Transform(({ value }) => value === 'true' || value === true)
  @IsBoolean()
  includeCodes?: boolean;
}

export class AssignDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10000)
  @IsUUID('all', { each: true })
  workerIds: string[];
}
