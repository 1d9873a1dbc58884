import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, type AuthUser } from '../auth/auth-user';
import { formatDate, formatDateTime, formatWareki } from '../common/dates';
import { Readable } from 'node:stream';
import { renderDocument, renderFragment } from '../common/http/document-renderer';
import { Article11Service } from './article11.service';
import { ReportQuery } from './dto/tracking.dto';

const STATUS: Record<string, { ja: string; en: string }> = {
  prime: { ja: '元請', en: 'Prime' },
  approved: { ja: '承認済み', en: 'Approved' },
  pending_approval: { ja: '承認待ち', en: 'Pending approval' },
  rejected: { ja: '不承認', en: 'Rejected' },
};

/** The printable Article 11 report (A4), Japanese with an English toggle. */
@ApiExcludeController()
@Controller()
export class ReportPagesController {
  constructor(private readonly article11: Article11Service) {}

  @Get('engagements/:id/report')
  @Roles('admin', 'town_staff', 'org_manager')
  async page(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Query() q: ReportQuery, @Res() reply: FastifyReply) {
    const lang = q.lang;
    const parts = await this.article11.reportParts(user, id);
    const report = parts.report;
    const d = (v: string | null) => (v ? (lang === 'ja' ? formatWareki(v) : formatDate(v, 'en')) : '—');
    // Rendered once around two marks, then streamed: the rows of the certified workers where the first
    // stands (page by page, as they are read), the digest where the second does (known after the last row).
    const html = renderDocument('reports/article11', {
      lang,
      ja: lang === 'ja',
      title: lang === 'ja' ? '情報セキュリティ特記事項 遵守状況報告書' : 'Report on compliance with the information security provisions',
      r: report,
      digest: { value: DIGEST_MARK },
      otherLang: lang === 'ja' ? 'en' : 'ja',
      generatedAt: formatDateTime(report.generatedAt, lang),
      nodeEndOfLife: report.system.nodeEndOfLife ? d(report.system.nodeEndOfLife) : '—',
      startsOn: d(report.engagement.startsOn),
      endsOn: d(report.engagement.endsOn),
      flags: [
        report.engagement.handlesPersonalInfo && (lang === 'ja' ? '個人情報を取り扱う' : 'handles personal information'),
        report.engagement.handlesMyNumber && (lang === 'ja' ? '特定個人情報（マイナンバー）を取り扱う' : 'handles My Number data'),
        report.engagement.usesCloudStorage && (lang === 'ja' ? 'クラウドストレージを利用する' : 'uses cloud storage'),
      ].filter(Boolean),
      curriculum: report.engagement.curriculum.map((m) => ({ ...m, title: m.title[lang], articles: m.articles.join(', ') })),
      subcontractors: report.subcontractors.map((s) => ({
        ...s,
        statusWord: STATUS[s.status][lang],
        decidedOn: s.decidedOn ? d(s.decidedOn) : '—',
      })),
      organizations: report.organizations.map((o) => ({ ...o, statusWord: STATUS[o.status][lang] })),
      certifiedCount: parts.certifiedCount,
      certifiedRows: ROWS_MARK,
    });
    const at = html.indexOf(ROWS_MARK);
    // No rows mark when nobody is certified (the page says so instead): everything is the tail.
    const [head, tail] = at < 0 ? ['', html] : [html.slice(0, at), html.slice(at + ROWS_MARK.length)];
    const body = Readable.from(
      (async function* () {
        if (head) yield head;
        for await (const page of parts.certified)
          yield page.workers
            .map((w) =>
              renderFragment('reports/article11-row', {
                ...w,
                validFrom: formatDate(w.validFrom, lang),
                validUntil: formatDate(w.validUntil, lang),
                modules: w.modules.map((m) => `${m.moduleId} r${m.revision}`).join(', '),
              }),
            )
            .join('');
        yield tail.split(DIGEST_MARK).join(await parts.digest());
      })(),
      { objectMode: false },
    );
    return reply.type('text/html; charset=utf-8').send(body);
  }
}

/* Marks no text of the report can hold (ids, names and words never contain NUL). */
const ROWS_MARK = '\u0000a4-rows\u0000';
const DIGEST_MARK = '\u0000a4-digest\u0000';
