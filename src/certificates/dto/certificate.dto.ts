import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, MaxLength, MinLength } from 'class-validator';

export class RevokeDto {
  @ApiProperty({ example: '契約解除に伴う取消し' }) @IsString() @MinLength(1) @MaxLength(500) reason: string;
}

export class VerifyManyDto {
  @ApiProperty({ type: [String], maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  serials: string[];
}
