import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth-user';
import { AuthService } from '../auth/auth.service';
import { EnrollDto, LoginDto } from '../auth/dto/login.dto';
import { Public } from '../auth/public.decorator';
import { SessionsService } from '../sessions/sessions.service';
import { setRetryAfter } from '../common/filters/all-exceptions.filter';
import { CsrfGuard } from './csrf';
import { codeFromLink, forgetCode, moveCodeToCookie, noReferrer } from './code-links';
import { caught, FieldErrors, type FormBody, localPath, str, validateForm } from './forms';
import { LANG_COOKIE, t } from './i18n';
import { ROLE_HOME, type PageRequest } from './page-context';
import { Pages } from './pages.service';
import { SystemService } from '../system/system.service';
import { systemView } from './system-views';

const YEAR = 365 * 24 * 3600;
const ENROLL_PATH = '/enroll';

/** Signing in and out, enrolment with a code, the language switch, and `/` that sends each role home. */
@ApiExcludeController()
@UseGuards(CsrfGuard)
@Controller()
export class AuthPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly system: SystemService,
  ) {}

  @Public()
  @Get()
  home(
    @Req() req: PageRequest,
    @Res() reply: FastifyReply,
    @Query('signedOut') signedOut?: string,
    @Query('passwordReset') passwordReset?: string,
  ) {
    if (req.user) return this.pages.redirect(reply, ROLE_HOME[req.user.role]);
    return this.renderLogin(req, reply, { signedOut: signedOut === '1', passwordReset: passwordReset === '1' });
  }

  /** A bookmarked or typed /login shows the sign-in page (or the role's home). */
  @Public()
  @Get('login')
  loginPage(@Res() reply: FastifyReply) {
    return this.pages.redirect(reply, '/');
  }

  @Public()
  @Post('login')
  async login(@Req() req: PageRequest, @Res() reply: FastifyReply, @Body() body: FormBody) {
    const lang = this.pages.lang(req);
    const input = { email: str(body, 'email').trim(), password: str(body, 'password') };
    const form = { email: input.email };
    const v = await validateForm(LoginDto, input, lang, 'login');
    if (v.errors) return this.renderLogin(req, reply, { form, errors: v.errors }, 400);
    try {
      const signedIn = await this.auth.login(v.value.email, v.value.password, req.ip);
      await this.replaceSession(req, reply, signedIn.token, signedIn.expiresAt);
      return this.pages.redirect(reply, '/');
    } catch (e) {
      const refused = caught(e, 'auth.sign_in_failed', 'auth.sign_in_throttled');
      if (!refused) throw e;
      if (refused.code === 'auth.sign_in_failed')
        return this.renderLogin(req, reply, { form, formError: t(lang, 'login.failed') }, refused.status);
      setRetryAfter(reply, e);
      return this.renderLogin(req, reply, { form, formError: t(lang, 'login.locked') }, refused.status);
    }
  }

  /** From the invitation e-mail (`/enroll?code=…`) the code is moved out of the URL first (code-links.ts). */
  @Public()
  @Get('enroll')
  enrollForm(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    if (moveCodeToCookie(req, reply, this.pages, ENROLL_PATH)) return;
    noReferrer(reply);
    const code = codeFromLink(req);
    return this.renderEnroll(req, reply, { form: { enrollmentCode: code }, fromLink: !!code });
  }

  @Public()
  @Post('enroll')
  async enroll(@Req() req: PageRequest, @Res() reply: FastifyReply, @Body() body: FormBody) {
    const lang = this.pages.lang(req);
    noReferrer(reply);
    const input = { enrollmentCode: str(body, 'enrollmentCode').trim(), password: str(body, 'password') };
    const form = { enrollmentCode: input.enrollmentCode };
    const v = await validateForm(EnrollDto, input, lang, 'enroll');
    const errors: FieldErrors = { ...(v.errors ?? {}) };
    if (!errors.password && input.password !== str(body, 'passwordConfirm')) errors.passwordConfirm = t(lang, 'enroll.mismatch');
    if (!v.value || Object.keys(errors).length) return this.renderEnroll(req, reply, { form, errors }, 400);
    try {
      const result = await this.auth.enroll(v.value.enrollmentCode, v.value.password);
      forgetCode(reply, ENROLL_PATH);
      // Another account holds the address without having proved it: a link went to the address (docs/mail.md).
      if ('addressProofSent' in result) return this.renderEnroll(req, reply, { proofSent: true }, 202);
      await this.replaceSession(req, reply, result.token, result.expiresAt);
      // The newcomer's welcome on their home page: their login ID and what comes next.
      this.pages.flashForNewSession(reply, result.token, { kind: 'success', key: 'welcome.done', data: { welcome: true } });
      return this.pages.redirect(reply, '/');
    } catch (e) {
      const refused = caught(e, 'enrollment.code_invalid', 'enrollment.code_used', 'account.email_taken');
      if (!refused) throw e;
      if (refused.code === 'enrollment.code_invalid')
        return this.renderEnroll(req, reply, { form, errors: { enrollmentCode: t(lang, 'enroll.codeRejected') } }, refused.status);
      return this.renderEnroll(req, reply, { form, formError: t(lang, 'enroll.accountExists') }, refused.status);
    }
  }

  @Post('logout')
  async logout(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    await this.sessions.revoke(req.user!.sessionId);
    this.pages.clearSessionCookie(reply);
    return this.pages.redirect(reply, '/?signedOut=1');
  }

  /** The language switch: remembered for a year; back to the page it was pressed on. */
  @Public()
  @Get('lang/:lang')
  switchLanguage(@Param('lang') lang: string, @Query('next') next: string | undefined, @Res() reply: FastifyReply) {
    reply.setCookie(LANG_COOKIE, lang === 'en' ? 'en' : 'ja', this.pages.cookieOptions(YEAR));
    return this.pages.redirect(reply, localPath(next ?? '/', '/'));
  }

  /**
   * The operator's page: what runs (service version, Node.js and its end of
   * life, database, bill of materials: Articles 9-2 and 12), here rather
   * than on the public /readyz; the operator's other work is done through the API.
   */
  @Roles('admin')
  @Get('admin')
  admin(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    const lang = this.pages.lang(req);
    return this.pages.render(req, reply, 'auth/admin', { title: t(lang, 'admin.title'), system: systemView(this.system.facts(), lang) });
  }

  /** A new sign-in ends the session this browser had before (no two live sessions behind one cookie). */
  private async replaceSession(req: PageRequest, reply: FastifyReply, token: string, expiresAt: string) {
    if (req.user && !(req.headers.authorization ?? '').startsWith('Bearer ')) await this.sessions.revoke(req.user.sessionId);
    this.pages.setSessionCookie(reply, token, expiresAt);
  }

  private renderLogin(req: PageRequest, reply: FastifyReply, data: Record<string, unknown>, status = 200) {
    return this.pages.render(
      req,
      reply,
      'auth/login',
      { title: t(this.pages.lang(req), 'login.title'), form: {}, errors: {}, ...data },
      status,
    );
  }

  private renderEnroll(req: PageRequest, reply: FastifyReply, data: Record<string, unknown>, status = 200) {
    return this.pages.render(
      req,
      reply,
      'auth/enroll',
      { title: t(this.pages.lang(req), 'enroll.title'), form: {}, errors: {}, ...data },
      status,
    );
  }
}
