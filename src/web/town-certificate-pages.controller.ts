import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth-user';
import { ReinstateDto, RevokeDto, VerifyManyDto } from '../certificates/dto/certificate.dto';
import { CertificateFacts, CertificatesService } from '../certificates/certificates.service';
import { AuditService } from '../audit/audit.service';
import { todayJst } from '../common/dates';
import { certificateView, splitSerials } from './certificate-views';
import { verifiedCsv, verifiedRows } from './verify-many-views';
import { CsrfGuard } from './csrf';
import { caught, FieldErrors, type FormBody, str, tick, validateForm } from './forms';
import { t } from './i18n';
import type { PageRequest } from './page-context';
import { Pages } from './pages.service';

type Verified = Awaited<ReturnType<CertificatesService['verifyMany']>>[number];

/**
 * Town staff (and the admin, whom the verification page also offers the
 * revocation link): certificate verification for one serial or a pasted list
 * (up to 1,000), revocation with a reason behind a confirmation step, and the
 * reinstatement that lifts a revocation's hold on new certificates.
 * src/access keeps the rules: who sees the holder's name, who may revoke and reinstate.
 */
@ApiExcludeController()
@Roles('town_staff', 'admin')
@UseGuards(CsrfGuard)
@Controller('town/certificates')
export class TownCertificatePagesController {
  constructor(
    private readonly pages: Pages,
    private readonly certificates: CertificatesService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  form(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    return this.renderVerify(req, reply, '', {}, null);
  }

  /**
   * Verification changes nothing, and a list of 1,000 serials fits no URL:
   * this post answers the results directly instead of redirecting (reloading
   * it just checks again).
   */
  @Post('verify')
  async verify(@Req() req: PageRequest, @Res() reply: FastifyReply, @Body() body: FormBody) {
    const lang = this.pages.lang(req);
    const text = str(body, 'serials');
    const v = await validateForm(VerifyManyDto, { serials: splitSerials(text) }, lang, 'verifyMany');
    if (v.errors) return this.renderVerify(req, reply, text, v.errors, null, 400);
    const results = await this.certificates.verifyMany(req.user!, v.value.serials);
    return this.renderVerify(req, reply, text, {}, results);
  }

  /**
   * The same list's result as CSV (the results page posts its serials again: nothing is kept between
   * the two requests). Recorded in the audit trail as an export, with its row count; names never go there.
   */
  @Post('verify.csv')
  async verifyCsv(@Req() req: PageRequest, @Res() reply: FastifyReply, @Body() body: FormBody) {
    const lang = this.pages.lang(req);
    const text = str(body, 'serials');
    const v = await validateForm(VerifyManyDto, { serials: splitSerials(text) }, lang, 'verifyMany');
    if (v.errors) return this.renderVerify(req, reply, text, v.errors, null, 400);
    const { rows } = verifiedRows(await this.certificates.verifyMany(req.user!, v.value.serials), lang);
    await this.audit.append({
      action: 'export.downloaded',
      actor: req.user!,
      targetType: 'certificate_list',
      details: { kind: 'verification_csv', rows: rows.length, lang },
    });
    return reply
      .code(200)
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="verification-${todayJst()}.csv"`)
      .header('cache-control', 'no-store')
      .send(verifiedCsv(rows, lang));
  }

  /** The confirmation step: the certificate as the municipality's staff see it, the reason, a tick. 404 unless it is theirs. */
  @Get(':serial/revocation')
  async confirm(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('serial') serial: string) {
    return this.renderDecision(req, reply, 'revoke', await this.ownCertificate(req, serial), {}, {});
  }

  @Post(':serial/revocation')
  async revoke(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('serial') serial: string, @Body() body: FormBody) {
    const lang = this.pages.lang(req);
    const f = await this.ownCertificate(req, serial);
    const form = { reason: str(body, 'reason'), confirm: tick(body, 'confirm') };
    const v = await validateForm(RevokeDto, { reason: form.reason.trim() }, lang, 'revoke');
    const errors: FieldErrors = { ...(v.errors ?? {}) };
    if (!form.confirm) errors.confirm = t(lang, 'revoke.confirmRequired');
    if (!v.value || Object.keys(errors).length) return this.renderDecision(req, reply, 'revoke', f, form, errors, 400);
    try {
      await this.certificates.revoke(req.user!, f.serial, v.value.reason);
      this.pages.flash(req, reply, { kind: 'success', key: 'revoke.done', params: { serial: f.serial } });
    } catch (e) {
      // Revoked or superseded meanwhile (another tab, a colleague): the verification page shows how it stands.
      if (!caught(e, 'certificate.not_revocable')) throw e;
      this.pages.flash(req, reply, { kind: 'error', key: 'revoke.notRevocable' });
    }
    return this.pages.redirect(reply, `/verify/${f.serial}`);
  }

  /** The confirmation step of a reinstatement: the revoked certificate, the reason, whether re-training is required, a tick. */
  @Get(':serial/reinstatement')
  async confirmReinstatement(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('serial') serial: string) {
    return this.renderDecision(req, reply, 'reinstate', await this.ownCertificate(req, serial), {}, {});
  }

  @Post(':serial/reinstatement')
  async reinstate(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('serial') serial: string, @Body() body: FormBody) {
    const lang = this.pages.lang(req);
    const f = await this.ownCertificate(req, serial);
    const form = { reason: str(body, 'reason'), retraining: tick(body, 'retraining'), confirm: tick(body, 'confirm') };
    const v = await validateForm(ReinstateDto, { reason: form.reason.trim(), retraining: form.retraining }, lang, 'reinstate');
    const errors: FieldErrors = { ...(v.errors ?? {}) };
    if (!form.confirm) errors.confirm = t(lang, 'reinstate.confirmRequired');
    if (!v.value || Object.keys(errors).length) return this.renderDecision(req, reply, 'reinstate', f, form, errors, 400);
    try {
      const r = await this.certificates.reinstate(req.user!, f.serial, v.value.reason, form.retraining);
      const key = r.issued ? 'reinstate.doneIssued' : form.retraining ? 'reinstate.doneRetraining' : 'reinstate.doneLater';
      this.pages.flash(req, reply, { kind: 'success', key, params: { serial: f.serial, issued: r.issued?.serial ?? '' } });
      return this.pages.redirect(reply, `/verify/${r.issued?.serial ?? f.serial}`);
    } catch (e) {
      // Reinstated meanwhile (another tab, a colleague): the verification page shows how it stands.
      if (!caught(e, 'certificate.not_reinstatable', 'certificate.changed_meanwhile')) throw e;
      this.pages.flash(req, reply, { kind: 'error', key: 'reinstate.notReinstatable' });
      return this.pages.redirect(reply, `/verify/${f.serial}`);
    }
  }

  /** The certificate, if the caller sees its holder (for town staff: their municipality's); else the service's 404. */
  private ownCertificate(req: PageRequest, serial: string): Promise<CertificateFacts> {
    return this.certificates.forDocument(serial, req.user);
  }

  private renderVerify(
    req: PageRequest,
    reply: FastifyReply,
    serials: string,
    errors: FieldErrors,
    results: Verified[] | null,
    status = 200,
  ) {
    const lang = this.pages.lang(req);
    const v = results ? verifiedRows(results, lang) : null;
    return this.pages.render(
      req,
      reply,
      'town/certificates',
      {
        title: t(lang, 'verifyMany.title'),
        form: { serials },
        errors,
        results: v ? v.rows : null,
        duplicates: v?.duplicates ?? 0,
        summary: v?.summary ?? null,
      },
      status,
    );
  }

  /** The revocation or reinstatement confirmation step: the certificate, the form and its errors. */
  private renderDecision(
    req: PageRequest,
    reply: FastifyReply,
    step: 'revoke' | 'reinstate',
    f: CertificateFacts,
    form: Record<string, unknown>,
    errors: FieldErrors,
    status = 200,
  ) {
    const lang = this.pages.lang(req);
    return this.pages.render(
      req,
      reply,
      `town/${step}`,
      { title: t(lang, `${step}.title`), cert: certificateView(f, lang), form, errors },
      status,
    );
  }
}
