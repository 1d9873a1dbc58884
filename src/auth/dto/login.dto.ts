import { ApiProperty } from '@nestjs/swagger';
import { EmailField, SecretField, TypedCodeField } from '../../common/input/fields';

export class LoginDto {
  @ApiProperty({ example: 'manager@example.jp', description: 'normalized: full width to ASCII (NFKC), trimmed, lower-cased' })
  @EmailField()
  email: string;

  @ApiProperty()
  @SecretField({ min: 1, max: 200 })
  password: string;
}

export class EnrollDto {
  @ApiProperty({
    example: 'ABCD-EFGH-JKMN-PQRS-TVWX',
    description: 'as printed; full width, lower case, spaces and any dash (ー, －, ‐ …) are accepted',
  })
  @TypedCodeField({ min: 10, max: 64 })
  enrollmentCode: string;

  @ApiProperty({ minLength: 10 })
  @SecretField({ min: 10, max: 200, minWords: 'passwordTooShort' })
  password: string;
}
