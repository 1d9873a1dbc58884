import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, MaxLength } from 'class-validator';
import { IsPlainText, TextField } from '../../common/input/fields';

export class RevokeDto {
  @ApiProperty({ example: '契約解除に伴う取消し', description: 'may span several lines' })
  @TextField({ max: 500, multiline: true })
  reason: string;
}

export class VerifyManyDto {
  @ApiProperty({ type: [String], maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @IsPlainText({ each: true })
  @MaxLength(40, { each: true })
  serials: string[];
}
