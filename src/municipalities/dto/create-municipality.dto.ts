import { ApiProperty } from '@nestjs/swagger';
import { NormalizeIdentifier, TextField } from '../../common/input/fields';
import { IsMunicipalityCode } from '../../common/validation/check-digits';

export class CreateMunicipalityDto {
  @ApiProperty({ example: '府中町' }) @TextField({ max: 200 }) name: string;
  @ApiProperty({ example: '343021', description: '全国地方公共団体コード (6 digits, last is the check digit; full-width digits accepted)' })
  @NormalizeIdentifier()
  @IsMunicipalityCode()
  code: string;
}
