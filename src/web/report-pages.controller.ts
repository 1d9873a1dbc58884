import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, type AuthUser } from '../auth/auth-user';
import { formatOfficialDate, formatOfficialDateTime } from '../common/dates';
import { ENGAGEMENT_FLAGS } from '../content/content.types';
import { Article11Service } from '../reports/article11.service';
import { ReportQuery } from '../reports/dto/tracking.dto';
import { formatArticles } from './citations';
import { renderDocument } from './document-renderer';
import { t } from './i18n';
import { tierName } from './tracking-views';

/**
 * The printable Article 11 report (A4), Japanese with an English toggle: the service's report data in words.
 * A document addressed to the town, so its dates are 和暦 (docs/web.md, "Dates"); tiers by name (元請,
 * 第1次再委託先 …), modules by title, every assigned person with their status, the addressee as the head
 * of the municipality (府中町長 様). A print button (public/print-button.js) and a way back to the readiness page,
 * which the same people may open (`engagement.readiness.read` and `engagement.report.read` allow the same callers).
 */
@ApiExcludeController()
@Controller()
export class ReportPagesController {
  constructor(private readonly article11: Article11Service) {}

  @Get('engagements/:id/report')
  @Roles('admin', 'town_staff', 'org_manager')
  async page(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Query() q: ReportQuery, @Res() reply: FastifyReply) {
    const lang = q.lang;
    const { report, digest } = await this.article11.report(user, id);
    const d = (v: string | null) => (v ? formatOfficialDate(v, lang) : '—');
    const curriculum = report.engagement.curriculum.map((m, i) => ({
      n: i + 1,
      title: m.title[lang],
      revision: t(lang, 'article11.revisionN', { revision: m.revision }),
      articles: formatArticles(m.articles, lang),
    }));
    const html = renderDocument('reports/article11', {
      lang,
      title: t(lang, 'article11.title'),
      r: report,
      digest,
      otherLang: lang === 'ja' ? 'en' : 'ja',
      backHref: `/engagements/${report.engagement.id}/readiness`,
      addressee: t(lang, 'article11.addressee', { name: report.engagement.municipality.name }),
      generatedAt: formatOfficialDateTime(report.generatedAt, lang),
      nodeEndOfLife: report.system.nodeEndOfLife ? d(report.system.nodeEndOfLife) : '—',
      startsOn: d(report.engagement.startsOn),
      endsOn: d(report.engagement.endsOn),
      flags: ENGAGEMENT_FLAGS.filter((f) => report.engagement[f])
        .map((f) => t(lang, `article11.flag.${f}`))
        .join(t(lang, 'article11.flagSeparator')),
      curriculum,
      subcontractors: report.subcontractors.map((s) => ({
        ...s,
        tierLabel: tierName(s.tier, lang),
        statusWord: t(lang, `status.${s.status}`),
        decidedOn: s.decidedOn ? d(s.decidedOn) : '—',
      })),
      organizations: report.organizations.map((o) => ({
        ...o,
        tierLabel: tierName(o.tier, lang),
        statusWord: t(lang, `status.${o.status}`),
      })),
      // In the order of the organizations (tree order: prime, then by tier), then by name.
      workers: [...report.workers].sort(byOrganizationThenName(report.organizations.map((o) => o.organizationId))).map((w) => {
        const org = report.organizations.find((o) => o.organizationId === w.organizationId);
        return {
          name: w.name,
          organization: org?.name ?? '',
          statusWord: t(lang, `status.${w.status}`),
          overdue: w.overdue,
          serial: w.serial ?? '—',
          validUntil: w.validUntil && (w.status === 'certified' || w.status === 'expiring') ? d(w.validUntil) : '—',
        };
      }),
    });
    return reply.type('text/html; charset=utf-8').send(html);
  }
}

const byOrganizationThenName =
  (order: string[]) => (a: { organizationId: string; name: string }, b: { organizationId: string; name: string }) =>
    order.indexOf(a.organizationId) - order.indexOf(b.organizationId) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
