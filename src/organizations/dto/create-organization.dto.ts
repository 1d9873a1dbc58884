import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsCorporateNumber } from '../../common/validation/check-digits';

export class CreateOrganizationDto {
  @ApiProperty({ example: '株式会社府中情報サービス' }) @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiPropertyOptional({ example: '7000012050002', description: '法人番号 (13 digits, first is the check digit)' })
  @IsOptional()
  @IsCorporateNumber()
  corporateNumber?: string;
}
