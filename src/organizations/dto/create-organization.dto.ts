import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { EmailField, NormalizeIdentifier, TextField } from '../../common/input/fields';
import { IsCorporateNumber } from '../../common/validation/check-digits';

export class CreateOrganizationDto {
  @ApiProperty({ example: '株式会社府中情報サービス' }) @TextField({ max: 200 }) name: string;
  @ApiPropertyOptional({
    example: '7000012050002',
    description: '法人番号 (13 digits, first is the check digit; full-width digits accepted)',
  })
  @IsOptional()
  @NormalizeIdentifier()
  @IsCorporateNumber()
  corporateNumber?: string;
  @ApiPropertyOptional({
    example: 'soumu@example.co.jp',
    description:
      'the address of the person who will manage the organization here: they are invited by e-mail to become its first manager (docs/mail.md); normalized like every address',
  })
  @IsOptional()
  @EmailField()
  contactEmail?: string;
}
