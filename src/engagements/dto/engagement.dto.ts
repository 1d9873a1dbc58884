import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { fieldRuleMessage } from '../../common/errors/words';
import { TextField } from '../../common/input/fields';
import { IsDateOnly } from '../../common/validation/is-date-only';

export class CreateEngagementDto {
  @ApiProperty({ example: '住民情報システム運用保守業務' }) @TextField({ max: 300 }) title: string;
  @ApiProperty({ example: 'R8-情-0012', description: 'NFKC: full-width digits and letters become ASCII' })
  @TextField({ max: 100, nfkc: true })
  contractNumber: string;
  @ApiProperty() @IsUUID() primeContractorId: string;
  @ApiProperty({ example: '2027-01-04' }) @IsDateOnly() startsOn: string;
  @ApiProperty({ example: '2028-03-31' }) @IsDateOnly() endsOn: string;
  @ApiProperty() @IsBoolean() handlesPersonalInfo: boolean;
  @ApiProperty() @IsBoolean() handlesMyNumber: boolean;
  @ApiProperty() @IsBoolean() usesCloudStorage: boolean;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(/^[a-z0-9]+(-[a-z0-9]+)*$/, { each: true, message: fieldRuleMessage('moduleIds') })
  extraModuleIds?: string[];
  @ApiPropertyOptional({ minimum: 50, maximum: 100, description: 'percent; overrides the modules’ own pass marks' })
  @IsOptional()
  @IsInt()
  @Min(50)
  @Max(100)
  passMark?: number;
  @ApiPropertyOptional({ default: 365, minimum: 30, maximum: 1825 })
  @IsOptional()
  @IsInt()
  @Min(30)
  @Max(1825)
  certificateValidityDays?: number;
}

export class AddSubcontractorDto {
  @ApiProperty() @IsUUID() organizationId: string;
  @ApiProperty() @IsUUID() parentOrganizationId: string;
}

export class ApprovalDto {
  @ApiProperty() @IsBoolean() approved: boolean;
  @ApiProperty({ example: '2026-12-01' }) @IsDateOnly() decidedOn: string;
  @ApiProperty({ example: '府総第1234号', description: 'the reference of the written consent or refusal; NFKC' })
  @TextField({ max: 200, nfkc: true })
  reference: string;
}
