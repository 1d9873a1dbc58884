import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccessService } from '../access/access.service';
import { Roles } from '../auth/auth-user';
import { MailSender } from '../mail/mail-sender.service';
import { OUTBOX_STATUSES, RetryDto } from '../mail/dto/outbox.dto';
import { DomainError } from '../common/errors/domain-error';
import type { OutboxStatus } from '../mail/outbox-message.entity';
import { OutboxListService } from '../mail/outbox-list.service';
import { RemindersService } from '../mail/reminders.service';
import { CsrfGuard } from './csrf';
import { type FormBody, list, validateForm } from './forms';
import { t } from './i18n';
import type { PageRequest } from './page-context';
import { Pages } from './pages.service';

const PAGE_SIZE = 100;

/**
 * The admin's outbox (/admin/outbox, `mail.outbox.read`): every message with
 * its kind, subject, masked recipient, status, attempts, last error and
 * times in JST, newest first; failed ones can be sent again. Without
 * SMTP_URL the page says that messages are kept here and not sent.
 */
@ApiExcludeController()
@UseGuards(CsrfGuard)
@Controller()
export class OutboxPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly access: AccessService,
    private readonly outbox: OutboxListService,
    private readonly sender: MailSender,
    private readonly reminders: RemindersService,
  ) {}

  @Roles('admin')
  @Get('admin/outbox')
  async list(@Req() req: PageRequest, @Res() reply: FastifyReply, @Query('status') status?: string, @Query('cursor') cursor?: string) {
    await this.access.require(req.user, 'mail.outbox.read', null);
    const lang = this.pages.lang(req);
    const filter = OUTBOX_STATUSES.includes(status as OutboxStatus) ? (status as OutboxStatus) : undefined;
    const page = await this.outbox.page(PAGE_SIZE, cursor, filter);
    const counts = await this.outbox.counts();
    return this.pages.render(req, reply, 'admin/outbox', {
      title: t(lang, 'outbox.title'),
      relay: this.sender.enabled,
      counts: OUTBOX_STATUSES.map((s) => ({
        status: s,
        label: t(lang, `outbox.status.${s}`),
        n: counts[s] ?? 0,
        current: s === filter,
        href: `/admin/outbox?status=${s}`,
      })),
      filtered: !!filter,
      messages: page.items.map((m) => ({
        ...m,
        kindLabel: t(lang, `outbox.kind.${m.kind}`),
        statusLabel: t(lang, `outbox.status.${m.status}`),
        failed: m.status === 'failed',
        // A retry is waiting (it is not the first attempt's "now").
        retrying: m.status === 'pending' && m.attempts > 0,
      })),
      anyFailed: page.items.some((m) => m.status === 'failed'),
      nextHref: page.nextCursor ? `/admin/outbox?${filter ? `status=${filter}&` : ''}cursor=${encodeURIComponent(page.nextCursor)}` : null,
    });
  }

  @Roles('admin')
  @Post('admin/outbox/retry')
  async retry(@Req() req: PageRequest, @Res() reply: FastifyReply, @Body() body: FormBody) {
    await this.access.require(req.user, 'mail.outbox.read', null);
    const v = await validateForm(RetryDto, { ids: list(body, 'ids') }, this.pages.lang(req), 'outbox');
    // The page sends only ids it listed: anything else is no form of ours.
    if (v.errors) throw new DomainError('input.wrong_type', {}, 'ids');
    const n = await this.outbox.retry(req.user!, v.value.ids);
    this.pages.flash(req, reply, { kind: 'success', key: 'outbox.retried', params: { n } });
    return this.pages.redirect(reply, '/admin/outbox');
  }

  /** The progress page's "remind those who have not finished" button (town staff and managers). */
  @Roles('town_staff', 'org_manager')
  @Post('engagements/:id/reminders')
  async remind(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string) {
    const r = await this.reminders.send(req.user!, id);
    this.pages.flash(req, reply, {
      kind: r.reminded + r.invited ? 'success' : 'info',
      key: r.reminded + r.invited ? 'reminders.sent' : 'reminders.none',
      params: { reminded: r.reminded, invited: r.invited, limited: r.limited },
    });
    return this.pages.redirect(reply, `/engagements/${id}/progress`);
  }
}
