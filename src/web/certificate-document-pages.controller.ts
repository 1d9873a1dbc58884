import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import QRCode from 'qrcode';
import { OptionalUser, type AuthUser } from '../auth/auth-user';
import { Public } from '../auth/public.decorator';
import { CertificatesService } from '../certificates/certificates.service';
import { formatDate } from '../common/dates';
import { ContentService } from '../content/content.service';
import { CERTIFICATE_TONE } from './certificate-views';
import { renderDocument } from './document-renderer';
import { langOf, t, type Lang } from './i18n';

/**
 * The printable certificate (holder, their managers, the municipality's town
 * staff; 404 to anyone else), in its own A4 layout. The public verification
 * pages its QR code leads to (`/verify`, `/verify/:serial`) are in
 * verify-pages.controller.ts.
 */
@ApiExcludeController()
@Public()
@Controller()
export class CertificateDocumentPagesController {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly content: ContentService,
  ) {}

  @Get('certificates/:serial')
  async document(
    @Param('serial') serial: string,
    @Query('lang') q: string | undefined,
    @OptionalUser() user: AuthUser | undefined,
    @Res() reply: FastifyReply,
  ) {
    // `?lang=` toggles the document; otherwise the language the visitor chose on the site.
    const lang: Lang = q === 'en' || q === 'ja' ? q : langOf(reply.request);
    const f = await this.certificates.forDocument(serial, user);
    const qr = await QRCode.toString(f.verifyUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
    return reply.type('text/html; charset=utf-8').send(
      renderDocument('certificates/certificate', {
        lang,
        title: t(lang, 'certificateDocument.title'),
        f,
        status: {
          word: t(lang, `status.${f.status}`),
          tone: CERTIFICATE_TONE[f.status],
          revokedAt: f.revokedAt ? formatDate(f.revokedAt, lang) : null,
        },
        modules: f.modules.map((m) => ({
          ...m,
          title: this.content.has(m.moduleId) ? this.content.get(m.moduleId).title[lang] : m.moduleId,
          completed: formatDate(m.completedAt, lang),
        })),
        // A Japanese document writes its dates in 和暦 (officialDate), with the western dates beside them.
        westernDates: lang === 'ja',
        validFrom: formatDate(f.validFrom, lang),
        validUntil: formatDate(f.validUntil, lang),
        qr,
        otherLang: lang === 'ja' ? 'en' : 'ja',
      }),
    );
  }
}
