import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { fieldRuleMessage } from '../../common/errors/words';
import { EmailField, SecretField, TextField } from '../../common/input/fields';

export class CreateUserDto {
  @ApiProperty({ description: 'normalized: full width to ASCII (NFKC), trimmed, lower-cased' }) @EmailField() email: string;
  @ApiProperty() @TextField({ max: 200 }) displayName: string;
  @ApiProperty({ enum: ['admin', 'town_staff', 'org_manager', 'content_author'] })
  @IsIn(['admin', 'town_staff', 'org_manager', 'content_author'], { message: fieldRuleMessage('role') })
  role: 'admin' | 'town_staff' | 'org_manager' | 'content_author';
  @ApiProperty({ minLength: 12 }) @SecretField({ min: 12, max: 200 }) password: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() municipalityId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() organizationId?: string;
}
