import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccessService } from '../access/access.service';
import { Public } from '../auth/public.decorator';
import { CertificatesService, seesHolder } from '../certificates/certificates.service';
import { certificateView } from './certificate-views';
import { parseSerial } from '../certificates/credential/serial';
import { caught, type FormBody, str } from './forms';
import { t, type MessageKey } from './i18n';
import type { PageRequest } from './page-context';
import { Pages } from './pages.service';

/** What the verification page says when a serial is not found or not a serial. */
const VERIFY_REFUSED: Record<'certificate.not_found' | 'serial.check_character' | 'serial.malformed', MessageKey> = {
  'certificate.not_found': 'verify.notFound',
  'serial.check_character': 'verify.mistyped',
  'serial.malformed': 'verify.malformed',
};

/**
 * The public verification pages a phone reaches from a certificate's QR code:
 * status in words and colour, validity, engagement and organization, the
 * holder's name masked. CertificatesService decides who sees more (the
 * municipality's town staff, the holder's managers: the full name); town
 * staff who may revoke get the link to do so, and the link to lift a
 * revocation's hold once revoked.
 */
@ApiExcludeController()
@Public()
@Controller('verify')
export class VerifyPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly certificates: CertificatesService,
    private readonly access: AccessService,
  ) {}

  /**
   * The form. A typed serial is posted (verifyTyped), so what a person types
   * never becomes part of a URL, where access logs, proxies and the browser's
   * history would keep it. `?serial=` from older links is still understood,
   * the same way.
   */
  @Get()
  form(@Req() req: PageRequest, @Res() reply: FastifyReply, @Query('serial') serial: string | undefined) {
    if (typeof serial === 'string' && serial.trim()) return this.answerTyped(req, reply, serial);
    return this.pages.render(req, reply, 'certificates/verify', {
      title: t(this.pages.lang(req), 'verify.title'),
      typed: '',
      error: null,
      cert: null,
    });
  }

  /**
   * What was typed in the box: a serial (in any spelling normalizeSerial
   * understands) is redirected to its canonical page, the URL its QR code
   * carries; anything else is answered on this page, the text only in the
   * form field.
   */
  @Post()
  verifyTyped(@Req() req: PageRequest, @Res() reply: FastifyReply, @Body() body: FormBody) {
    return this.answerTyped(req, reply, str(body, 'serial'));
  }

  private answerTyped(req: PageRequest, reply: FastifyReply, typed: string) {
    const parsed = parseSerial(typed.trim());
    if (parsed.ok) return this.pages.redirect(reply, `/verify/${parsed.serial}`);
    const lang = this.pages.lang(req);
    const error = t(lang, !typed.trim() ? 'verify.empty' : parsed.reason === 'checksum' ? 'verify.mistyped' : 'verify.malformed');
    return this.pages.render(req, reply, 'certificates/verify', { title: t(lang, 'verify.title'), typed, error, cert: null }, 400);
  }

  @Get(':serial')
  async verify(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('serial') serial: string) {
    const lang = this.pages.lang(req);
    const title = t(lang, 'verify.title');
    try {
      const f = await this.certificates.facts(serial, req.user);
      const cert = certificateView(f, lang);
      return this.pages.render(req, reply, 'certificates/verify', {
        title: `${f.serial} | ${title}`,
        typed: f.serial,
        error: null,
        cert: {
          ...cert,
          verdict: t(lang, `verify.verdict.${f.status}`),
          explain: t(lang, `verify.explain.${f.status}`),
          // Those who may revoke (the municipality's staff; the service checks again) get the link.
          canRevoke: seesHolder(f) && cert.revocable && (await this.access.can(req.user, 'certificate.revoke', f.engagement.id)),
          revokeHref: `/town/certificates/${f.serial}/revocation`,
          canReinstate: seesHolder(f) && cert.reinstatable && (await this.access.can(req.user, 'certificate.reinstate', f.engagement.id)),
          reinstateHref: `/town/certificates/${f.serial}/reinstatement`,
          credentialHref: `/api/v1/certificates/${f.serial}/credential`,
        },
      });
    } catch (e) {
      // A mistyped serial is caught by its check character before any lookup, and said so.
      const refused = caught(e, 'certificate.not_found', 'serial.check_character', 'serial.malformed');
      if (!refused) throw e;
      const key = VERIFY_REFUSED[refused.code];
      return this.pages.render(
        req,
        reply,
        'certificates/verify',
        { title, typed: serial, error: t(lang, key), cert: null },
        refused.status,
      );
    }
  }
}
