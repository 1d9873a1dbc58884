import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { IsPlainText } from '../../common/input/fields';

export class StartAttemptDto {
  @ApiProperty() @IsUUID() engagementId: string;
}

export class LangQuery {
  @ApiPropertyOptional({ enum: ['ja', 'en'], default: 'ja' }) @IsOptional() @IsIn(['ja', 'en']) lang: 'ja' | 'en' = 'ja';
}

export class AnswerDto {
  @ApiProperty() @IsString() @IsPlainText() @MaxLength(64) questionId: string;
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @IsPlainText({ each: true })
  @MaxLength(16, { each: true })
  choiceIds: string[];
}

export class SubmissionDto {
  @ApiProperty({ type: [AnswerDto] })
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AnswerDto)
  answers: AnswerDto[];
}
