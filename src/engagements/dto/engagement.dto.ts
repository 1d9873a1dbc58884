import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { fieldRuleMessage } from '../../common/errors/words';
import { TextField } from '../../common/input/fields';
import { IsDateOnly } from '../../common/validation/is-date-only';

const REMINDER_DAYS_DOC: ApiPropertyOptions = {
  type: [Number],
  default: [14, 3],
  description: 'days before startsOn on which workers who have not finished are reminded by e-mail (1–180, at most 5); [] for none',
};

/** Days before the start for automatic reminders: whole numbers 1–180, at most five, none twice. */
function ReminderDays(): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    IsArray()(target, key);
    ArrayMaxSize(5)(target, key);
    ArrayUnique()(target, key);
    IsInt({ each: true })(target, key);
    Min(1, { each: true })(target, key);
    Max(180, { each: true })(target, key);
  };
}

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
  @ApiPropertyOptional(REMINDER_DAYS_DOC)
  @IsOptional()
  @ReminderDays()
  reminderDays?: number[];
}

/** PUT /engagements/:id/reminder-days: the town changes the schedule of automatic reminders. */
export class ReminderDaysDto {
  @ApiProperty(REMINDER_DAYS_DOC)
  @ReminderDays()
  reminderDays: number[];
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
