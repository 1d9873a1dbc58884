import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth-user';
import { CloseOutService } from '../close-out/close-out.service';
import { DomainError } from '../common/errors/domain-error';
import { CsrfGuard } from './csrf';
import { caught, type FormBody, tick } from './forms';
import type { PageRequest } from './page-context';
import { Pages } from './pages.service';

/**
 * The town's close-out of an engagement from its page (town/engagement): close out, download the
 * archive and its signature, erase with a confirmation. The state is shown by TownPagesController.
 */
@ApiExcludeController()
@Roles('town_staff')
@UseGuards(CsrfGuard)
@Controller('town/engagements/:id')
export class CloseOutPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly closeOut: CloseOutService,
  ) {}

  @Post('close-out')
  async close(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string) {
    try {
      await this.closeOut.closeOut(req.user!, id);
      this.pages.flash(req, reply, { kind: 'success', key: 'closeOut.done' });
    } catch (e) {
      const refused = caught(e, 'close_out.not_ended', 'close_out.closed');
      if (!refused) throw e;
      this.pages.flash(req, reply, { kind: 'error', key: `errors.${refused.code}`, params: refused.params as Record<string, string> });
    }
    return this.pages.redirect(reply, `/town/engagements/${id}#close-out`);
  }

  @Get('close-out/archive')
  async archive(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string) {
    const a = await this.closeOut.archive(req.user!, id);
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="close-out-${id}.json"`)
      .header('x-content-sha256', a.sha256)
      .send(a.bytes);
  }

  @Get('close-out/signature')
  async signature(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string) {
    const a = await this.closeOut.archive(req.user!, id);
    return reply
      .header('content-type', 'application/jwt')
      .header('content-disposition', `attachment; filename="close-out-${id}.jws"`)
      .send(a.signature);
  }

  @Post('erasure')
  async erase(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string, @Body() body: FormBody) {
    // The checkbox is required in the form: a post without it is no browser's, and gets the error page.
    if (Buffer.isBuffer(body) || typeof body !== 'object' || body === null) throw new DomainError('input.wrong_type', {}, 'confirm');
    if (!tick(body, 'confirm')) throw new DomainError('close_out.confirmation_required', {}, 'confirm');
    try {
      const r = await this.closeOut.erase(req.user!, id, true);
      this.pages.flash(req, reply, { kind: 'success', key: 'closeOut.erased', params: { erased: r.erasedWorkers, kept: r.keptWorkers } });
    } catch (e) {
      const refused = caught(e, 'close_out.not_closed', 'close_out.retention', 'close_out.erased');
      if (!refused) throw e;
      this.pages.flash(req, reply, { kind: 'error', key: `errors.${refused.code}`, params: refused.params as Record<string, string> });
    }
    return this.pages.redirect(reply, `/town/engagements/${id}#close-out`);
  }
}
