import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class CreateUserDto {
  @ApiProperty() @IsEmail() @MaxLength(254) email: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) displayName: string;
  @ApiProperty({ enum: ['admin', 'town_staff', 'org_manager'] })
  @IsIn(['admin', 'town_staff', 'org_manager'], { message: 'role must be admin, town_staff or org_manager (workers enrol with a code)' })
  role: 'admin' | 'town_staff' | 'org_manager';
  @ApiProperty({ minLength: 12 }) @IsString() @MinLength(12) @MaxLength(200) password: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() municipalityId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() organizationId?: string;
}
