import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AccessService } from '../access/access.service';
import { CurrentUser, Roles, type AuthUser } from '../auth/auth-user';
import { OutboxQuery, RetryDto } from './dto/outbox.dto';
import { OutboxListService } from './outbox-list.service';
import { RemindersService } from './reminders.service';

@ApiTags('mail')
@ApiBearerAuth()
@Controller()
export class MailController {
  constructor(
    private readonly reminders: RemindersService,
    private readonly list: OutboxListService,
    private readonly access: AccessService,
  ) {}

  /**
   * Reminds the workers of the engagement who have not finished, among those
   * the caller sees in progress; those who never enrolled get their invitation again.
   * At most one a day per person: `limited` counts those already reminded today.
   */
  @Post('engagements/:id/reminders')
  @HttpCode(200)
  @Roles('town_staff', 'org_manager')
  remind(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.reminders.send(user, id);
  }

  /** The outbox, newest first: kind, subject, masked recipient, status, attempts, last error, times (admin). */
  @Get('mail/outbox')
  @Roles('admin')
  async outbox(@CurrentUser() user: AuthUser, @Query() q: OutboxQuery) {
    await this.access.require(user, 'mail.outbox.read', null);
    return this.list.page(q.limit, q.cursor, q.status);
  }

  /** Puts failed messages back in the queue, to be tried again from their first attempt (admin). */
  @Post('mail/outbox/retry')
  @HttpCode(200)
  @Roles('admin')
  async retry(@CurrentUser() user: AuthUser, @Body() dto: RetryDto) {
    await this.access.require(user, 'mail.outbox.read', null);
    return { retried: await this.list.retry(user, dto.ids) };
  }
}
