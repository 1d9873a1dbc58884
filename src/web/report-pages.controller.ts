import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { CurrentUser, Roles, type AuthUser } from '../auth/auth-user';
import { formatDate, formatDateTime, formatOfficialDate } from '../common/dates';
import { ENGAGEMENT_FLAGS } from '../content/content.types';
import { Article11Service } from '../reports/article11.service';
import { ReportQuery } from '../reports/dto/tracking.dto';
import { renderDocument, renderFragment } from './document-renderer';
import { t } from './i18n';

/** The printable Article 11 report (A4), Japanese with an English toggle: the service's report data in words. */
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
    const d = (v: string | null) => (v ? formatOfficialDate(v, lang) : '—');
    const html = renderDocument('reports/article11', {
      lang,
      title: t(lang, 'article11.title'),
      r: report,
      digest: { value: DIGEST_MARK },
      otherLang: lang === 'ja' ? 'en' : 'ja',
      generatedAt: formatDateTime(report.generatedAt, lang),
      nodeEndOfLife: report.system.nodeEndOfLife ? d(report.system.nodeEndOfLife) : '—',
      startsOn: d(report.engagement.startsOn),
      endsOn: d(report.engagement.endsOn),
      flags: ENGAGEMENT_FLAGS.filter((f) => report.engagement[f])
        .map((f) => t(lang, `article11.flag.${f}`))
        .join(t(lang, 'article11.flagSeparator')),
      curriculum: report.engagement.curriculum.map((m) => ({ ...m, title: m.title[lang], articles: m.articles.join(', ') })),
      subcontractors: report.subcontractors.map((s) => ({
        ...s,
        statusWord: t(lang, `status.${s.status}`),
        decidedOn: s.decidedOn ? d(s.decidedOn) : '—',
      })),
      organizations: report.organizations.map((o) => ({ ...o, statusWord: t(lang, `status.${o.status}`) })),
      certifiedCount: parts.certifiedCount,
      certifiedRows: ROWS_MARK,
    });
    // Rendered once around two marks, then streamed: the certified workers' rows where the first stands
    // (page by page, as they are read), the digest where the second does (known after the last row).
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
