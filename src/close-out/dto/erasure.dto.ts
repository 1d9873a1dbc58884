import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

export class ErasureDto {
  @ApiProperty({ description: 'Must be true: the erasure cannot be undone.', example: true })
  @IsBoolean()
  confirm: boolean;
}
