import { ApiProperty } from '@nestjs/swagger';
import { EmailField, TextField } from '../../common/input/fields';

/** The manager-to-be of an organization that has none yet: invited by e-mail (docs/accounts-and-access.md). */
export class InviteManagerDto {
  @ApiProperty({ example: '山田　花子', description: 'the invitee’s name, for the greeting of the invitation' })
  @TextField({ max: 200 })
  name: string;

  @ApiProperty({ example: 'soumu@example.co.jp', description: 'where the invitation goes; the new account’s login ID' })
  @EmailField()
  email: string;
}
