import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import QRCode from 'qrcode';
import { OptionalUser, type AuthUser } from '../auth/auth-user';
import { Public } from '../auth/public.decorator';
import { formatDate, formatWareki } from '../common/dates';
import { renderDocument } from './document-renderer';
import { ContentService } from '../content/content.service';
import { langOf } from './i18n';
import { CertificateFacts, CertificatesService } from '../certificates/certificates.service';

type Lang = 'ja' | 'en';

const STATUS_WORDS: Record<string, { ja: string; en: string; tone: string }> = {
  valid: { ja: '有効', en: 'Valid', tone: 'ok' },
  expired: { ja: '有効期限切れ', en: 'Expired', tone: 'warn' },
  revoked: { ja: '取消し', en: 'Revoked', tone: 'bad' },
  superseded: { ja: '更新済み（新しい修了証があります）', en: 'Superseded by a newer certificate', tone: 'warn' },
};

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
        ja: lang === 'ja',
        title: lang === 'ja' ? '情報セキュリティ研修修了証' : 'Information security training certificate',
        f,
        status: this.statusView(f, lang),
        modules: f.modules.map((m) => ({
          ...m,
          title: this.content.has(m.moduleId) ? this.content.get(m.moduleId).title[lang] : m.moduleId,
          completed: formatDate(m.completedAt, lang),
        })),
        validFromWareki: formatWareki(f.validFrom),
        validUntilWareki: formatWareki(f.validUntil),
        validFrom: formatDate(f.validFrom, lang),
        validUntil: formatDate(f.validUntil, lang),
        qr,
        otherLang: lang === 'ja' ? 'en' : 'ja',
      }),
    );
  }

  private statusView(f: CertificateFacts, lang: Lang) {
    const s = STATUS_WORDS[f.status];
    return { word: s[lang], tone: s.tone, revokedAt: f.revokedAt ? formatDate(f.revokedAt, lang) : null };
  }
}
