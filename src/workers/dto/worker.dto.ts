import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';

const nfkcEmail = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.normalize('NFKC').trim().toLowerCase() : value);
const nfcTrim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.normalize('NFC').trim() : value);

export class CreateWorkerDto {
  @ApiProperty({ example: '山田　太郎' }) @Transform(nfcTrim) @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiProperty({ example: 'yamada@example.jp', description: 'full-width characters are normalized' })
  @Transform(nfkcEmail)
  @IsEmail()
  @MaxLength(254)
  email: string;
  @ApiPropertyOptional({ example: 'E0001' }) @IsOptional() @Transform(nfcTrim) @IsString() @MaxLength(50) employeeNumber?: string;
}

export class ImportQuery {
  @ApiPropertyOptional({ description: 'answer with a CSV of the new enrollment codes' })
  @IsOptional()
  @Transform(({ value }) => value === 'true' || value === true)
  @IsBoolean()
  includeCodes?: boolean;
}

export class AssignDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10000)
  @IsUUID('all', { each: true })
  workerIds: string[];
}
