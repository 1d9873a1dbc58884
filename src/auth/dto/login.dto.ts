import { ApiProperty } from '@nestjs/swagger';
import { EmailField, SecretField, TextField, TypedCodeField } from '../../common/input/fields';

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

/** "パスワードを忘れた方": the address to send the link to. */
export class PasswordResetRequestDto {
  @ApiProperty({
    example: 'yamada@example.jp',
    description: 'normalized like every address; the answer is the same whether or not it has an account',
  })
  @EmailField()
  email: string;
}

/** A code from an e-mail (a password reset, an address proof, an invitation): as in the link, or typed from the message. */
const CODE_EXAMPLE = {
  example: 'ABCD-EFGH-JKMN-PQRS-TVWX',
  description: 'from the link or the message; full width, lower case and any dash are accepted',
};

export class PasswordResetDto {
  @ApiProperty(CODE_EXAMPLE)
  @TypedCodeField({ min: 10, max: 64 })
  code: string;

  @ApiProperty({ minLength: 10 })
  @SecretField({ min: 10, max: 200, minWords: 'passwordTooShort' })
  password: string;
}

export class AddressProofDto {
  @ApiProperty(CODE_EXAMPLE)
  @TypedCodeField({ min: 10, max: 64 })
  code: string;
}

export class AcceptInvitationDto {
  @ApiProperty(CODE_EXAMPLE)
  @TypedCodeField({ min: 10, max: 64 })
  code: string;

  @ApiProperty({ example: '山田　太郎' })
  @TextField({ max: 200 })
  displayName: string;

  @ApiProperty({ minLength: 12 })
  @SecretField({ min: 12, max: 200, minWords: 'passwordTooShort' })
  password: string;
}
