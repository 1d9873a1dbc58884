import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { IsMunicipalityCode } from '../../common/validation/check-digits';

export class CreateMunicipalityDto {
  @ApiProperty({ example: '府中町' }) @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiProperty({ example: '343021', description: '全国地方公共団体コード (6 digits, last is the check digit)' })
  @IsMunicipalityCode()
  code: string;
}
