import { Body, Controller, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccountLinksService } from '../auth/account-links.service';
import { AcceptInvitationDto, AddressProofDto, PasswordResetDto, PasswordResetRequestDto } from '../auth/dto/login.dto';
import { Public } from '../auth/public.decorator';
import { codeFromLink, forgetCode, moveCodeToCookie, noReferrer } from './code-links';
import { CsrfGuard } from './csrf';
import { caught, FieldErrors, type FormBody, str, validateForm } from './forms';
import { t, type MessageKey } from './i18n';
import type { PageRequest } from './page-context';
import { Pages } from './pages.service';

const RESET_PATH = '/password-reset/new';
const CONFIRM_PATH = '/confirm-address';
const INVITATION_PATH = '/invitation';

/**
 * The pages e-mailed links open (docs/mail.md): "パスワードを忘れた方" and the
 * new password, the confirmation of an address, the acceptance of a manager
 * invitation. Each link's code is moved out of the URL first (code-links.ts).
 */
@ApiExcludeController()
@UseGuards(CsrfGuard)
@Controller()
export class AccountPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly links: AccountLinksService,
  ) {}

  // ---- password reset ----

  @Public()
  @Get('password-reset')
  resetRequestForm(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    return this.render(req, reply, 'auth/password-reset', 'reset.title', {});
  }

  /** The same page whether or not the address has an account (docs/accounts-and-access.md). */
  @Public()
  @Post('password-reset')
  async requestReset(@Req() req: PageRequest, @Res() reply: FastifyReply, @Body() body: FormBody) {
    const lang = this.pages.lang(req);
    const input = { email: str(body, 'email') };
    const v = await validateForm(PasswordResetRequestDto, input, lang, 'reset');
    if (v.errors) return this.render(req, reply, 'auth/password-reset', 'reset.title', { form: input, errors: v.errors }, 400);
    await this.links.requestPasswordReset(v.value.email);
    return this.render(req, reply, 'auth/password-reset', 'reset.title', { sent: true });
  }

  @Public()
  @Get('password-reset/new')
  newPasswordForm(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    if (moveCodeToCookie(req, reply, this.pages, RESET_PATH)) return;
    noReferrer(reply);
    return this.render(req, reply, 'auth/password-new', 'reset.newTitle', { form: { code: codeFromLink(req) } });
  }

  @Public()
  @Post('password-reset/new')
  async setPassword(@Req() req: PageRequest, @Res() reply: FastifyReply, @Body() body: FormBody) {
    const lang = this.pages.lang(req);
    noReferrer(reply);
    const input = { code: str(body, 'code').trim(), password: str(body, 'password') };
    const form = { code: input.code };
    const v = await validateForm(PasswordResetDto, input, lang, 'reset');
    const errors: FieldErrors = { ...(v.errors ?? {}) };
    if (!errors.password && input.password !== str(body, 'passwordConfirm')) errors.passwordConfirm = t(lang, 'enroll.mismatch');
    if (!v.value || Object.keys(errors).length)
      return this.render(req, reply, 'auth/password-new', 'reset.newTitle', { form, errors }, 400);
    try {
      await this.links.resetPassword(v.value.code, v.value.password);
    } catch (e) {
      if (!caught(e, 'account.code_invalid')) throw e;
      return this.render(req, reply, 'auth/password-new', 'reset.newTitle', { form, errors: { code: t(lang, 'reset.codeRejected') } }, 400);
    }
    forgetCode(reply, RESET_PATH);
    // Every session of the account ended, this browser's too.
    this.pages.clearSessionCookie(reply);
    return this.pages.redirect(reply, '/?passwordReset=1');
  }

  // ---- proof of address ----

  @Public()
  @Get('confirm-address')
  confirmForm(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    if (moveCodeToCookie(req, reply, this.pages, CONFIRM_PATH)) return;
    noReferrer(reply);
    return this.render(req, reply, 'auth/confirm-address', 'confirm.title', { form: { code: codeFromLink(req) } });
  }

  @Public()
  @Post('confirm-address')
  async confirm(@Req() req: PageRequest, @Res() reply: FastifyReply, @Body() body: FormBody) {
    const lang = this.pages.lang(req);
    noReferrer(reply);
    const input = { code: str(body, 'code').trim() };
    const v = await validateForm(AddressProofDto, input, lang, 'confirm');
    if (v.errors) return this.render(req, reply, 'auth/confirm-address', 'confirm.title', { form: input, errors: v.errors }, 400);
    try {
      const outcome = await this.links.proveAddress(v.value.code, req.user);
      forgetCode(reply, CONFIRM_PATH);
      if (outcome.kind === 'proved') return this.render(req, reply, 'auth/confirm-address', 'confirm.title', { done: true });
      this.pages.setSessionCookie(reply, outcome.signedIn.token, outcome.signedIn.expiresAt);
      return this.pages.redirect(reply, '/');
    } catch (e) {
      const h = caught(e, 'account.code_invalid', 'account.sign_in_required', 'account.address_taken', 'enrollment.code_used');
      if (!h) throw e;
      const fail = (errors: FieldErrors, formError?: string) =>
        this.render(req, reply, 'auth/confirm-address', 'confirm.title', { form: input, errors, formError }, h.status);
      if (h.code === 'account.code_invalid') return fail({ code: t(lang, 'confirm.codeRejected') });
      if (h.code === 'account.sign_in_required') return fail({}, t(lang, 'confirm.signInFirst'));
      if (h.code === 'account.address_taken') return fail({}, t(lang, 'enroll.accountExists'));
      return fail({}, t(lang, 'errors.enrollment.code_used'));
    }
  }

  // ---- manager invitation ----

  @Public()
  @Get('invitation')
  invitationForm(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    if (moveCodeToCookie(req, reply, this.pages, INVITATION_PATH)) return;
    noReferrer(reply);
    return this.render(req, reply, 'auth/invitation', 'invitation.title', { form: { code: codeFromLink(req) } });
  }

  @Public()
  @Post('invitation')
  async accept(@Req() req: PageRequest, @Res() reply: FastifyReply, @Body() body: FormBody) {
    const lang = this.pages.lang(req);
    noReferrer(reply);
    const input = { code: str(body, 'code').trim(), displayName: str(body, 'displayName'), password: str(body, 'password') };
    const form = { code: input.code, displayName: input.displayName };
    const v = await validateForm(AcceptInvitationDto, input, lang, 'invitation');
    const errors: FieldErrors = { ...(v.errors ?? {}) };
    if (!errors.password && input.password !== str(body, 'passwordConfirm')) errors.passwordConfirm = t(lang, 'enroll.mismatch');
    if (!v.value || Object.keys(errors).length)
      return this.render(req, reply, 'auth/invitation', 'invitation.title', { form, errors }, 400);
    try {
      const signedIn = await this.links.acceptInvitation(v.value.code, v.value.displayName, v.value.password);
      forgetCode(reply, INVITATION_PATH);
      this.pages.setSessionCookie(reply, signedIn.token, signedIn.expiresAt);
      return this.pages.redirect(reply, '/');
    } catch (e) {
      const h = caught(e, 'account.code_invalid', 'account.address_taken');
      if (!h) throw e;
      const fail = (errors: FieldErrors, formError?: string) =>
        this.render(req, reply, 'auth/invitation', 'invitation.title', { form, errors, formError }, h.status);
      if (h.code === 'account.code_invalid') return fail({ code: t(lang, 'invitation.codeRejected') });
      return fail({}, t(lang, 'invitation.accountExists'));
    }
  }

  private render(req: PageRequest, reply: FastifyReply, view: string, titleKey: MessageKey, data: Record<string, unknown>, status = 200) {
    return this.pages.render(req, reply, view, { title: t(this.pages.lang(req), titleKey), form: {}, errors: {}, ...data }, status);
  }
}
