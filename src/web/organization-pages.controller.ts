import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth-user';
import { MANAGER_INVITATION_DAYS } from '../auth/tokens';
import { InviteManagerDto } from '../organizations/dto/invite-manager.dto';
import { OrganizationsService } from '../organizations/organizations.service';
import { formatDateTime } from '../common/dates';
import { CsrfGuard } from './csrf';
import { caught, type FieldErrors, type FormBody, localPath, str, validateForm } from './forms';
import { t } from './i18n';
import type { PageRequest } from './page-context';
import { Pages } from './pages.service';

/**
 * "Invite this company's manager": the next step after registering an organization without a manager
 * address (the town's new prime, a parent's new subcontractor), linked from the flash after registering
 * and from the organization's row wherever its registrar sees it (town-views / manager-views
 * `managerStep`). Who may invite is OrganizationsService's and the access policy's
 * (`organization.managers.create`): anyone else gets the 404 of an unknown organization.
 */
@ApiExcludeController()
@Roles('town_staff', 'org_manager')
@UseGuards(CsrfGuard)
@Controller('organizations/:id')
export class OrganizationPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly organizations: OrganizationsService,
  ) {}

  @Get('manager-invitation')
  form(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string, @Query('next') next: unknown) {
    return this.render(req, reply, id, this.back(req, next), {}, {});
  }

  /** Sends the invitation (an earlier one stops working) and returns to the page the invitation started from. */
  @Post('manager-invitation')
  async invite(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string, @Body() body: FormBody) {
    const lang = this.pages.lang(req);
    const back = this.back(req, str(body, 'next'));
    const form = { name: str(body, 'name'), email: str(body, 'email') };
    const v = await validateForm(InviteManagerDto, form, lang, 'invite');
    if (v.errors) return this.render(req, reply, id, back, form, v.errors, 400);
    try {
      const sent = await this.organizations.inviteManager(req.user!, id, v.value);
      this.pages.flash(req, reply, {
        kind: 'success',
        key: 'invite.sent',
        params: { name: v.value.name.trim(), email: v.value.email, until: formatDateTime(sent.expiresAt, lang) },
      });
      return this.pages.redirect(reply, back);
    } catch (e) {
      const refused = caught(e, 'organization.has_manager');
      if (!refused) throw e;
      this.pages.flash(req, reply, { kind: 'info', key: 'errors.organization.has_manager' });
      return this.pages.redirect(reply, back);
    }
  }

  /** Where the page returns: the page it was opened from (our own paths only), else the role's home. */
  private back(req: PageRequest, next: unknown): string {
    return localPath(typeof next === 'string' ? next : '', req.user!.role === 'town_staff' ? '/town' : '/manager');
  }

  private async render(
    req: PageRequest,
    reply: FastifyReply,
    id: string,
    back: string,
    form: Record<string, string>,
    errors: FieldErrors,
    status = 200,
  ) {
    const lang = this.pages.lang(req);
    const organization = await this.organizations.managerInvitationState(req.user!, id);
    return this.pages.render(
      req,
      reply,
      'organizations/manager-invitation',
      { title: t(lang, 'invite.title', { name: organization.name }), organization, back, form, errors, days: MANAGER_INVITATION_DAYS },
      status,
    );
  }
}
