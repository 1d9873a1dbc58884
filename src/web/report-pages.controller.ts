import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { CurrentUser, Roles, type AuthUser } from '../auth/auth-user';
import { formatOfficialDate, formatOfficialDateTime } from '../common/dates';
import { ENGAGEMENT_FLAGS } from '../content/content.types';
import { Article11Service } from '../reports/article11.service';
import { ReportQuery } from '../reports/dto/tracking.dto';
import { renderDocument, renderFragment } from './document-renderer';
import { formatArticles } from './citations';
import { t } from './i18n';
import { tierName } from './tracking-views';

/**
 * The printable Article 11 report (A4), Japanese with an English toggle: the service's report data in words.
 * A document addressed to the town, so its dates are 和暦 (docs/web.md, "Dates"); tiers by name (元請,
 * 第1次再委託先 …), modules by title (a certified worker's modules by their number in the curriculum table),
 * every assigned person with their status, the addressee as the head of the municipality (府中町長 様).
 * A print button (public/print-button.js) and a way back to the readiness page, which the same people may
 * open (`engagement.readiness.read` and `engagement.report.read` allow the same callers).
 */
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
    const numberOf = new Map(report.engagement.curriculum.map((m, i) => [m.moduleId, i + 1]));
    const orgName = new Map(report.organizations.map((o) => [o.organizationId, o.name]));
    const html = renderDocument('reports/article11', {
      lang,
      title: t(lang, 'article11.title'),
      r: report,
      digest: { value: DIGEST_MARK },
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
      curriculum: report.engagement.curriculum.map((m, i) => ({
        n: i + 1,
        title: m.title[lang],
        revision: t(lang, 'article11.revisionN', { revision: m.revision }),
        articles: formatArticles(m.articles, lang),
      })),
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
      certifiedCount: parts.certifiedCount,
      certifiedRows: ROWS_MARK,
      assignedCount: parts.assignedCount,
      workerRows: WORKER_ROWS_MARK,
    });
    // Rendered once around three marks, then streamed: the certified workers' rows where the first stands and
    // every assigned person's where the second does (page by page, as they are read), the digest where the
    // third does (known after the last row). A list that is empty has no mark (the page says so instead).
    const [head, between, tail] = splitAt(html, [ROWS_MARK, WORKER_ROWS_MARK]);
    const overdue = t(lang, 'status.overdue');
    const body = Readable.from(
      (async function* () {
        yield head;
        for await (const page of parts.certified)
          yield page.workers
            .map((w) =>
              renderFragment('reports/article11-row', {
                ...w,
                validFrom: d(w.validFrom),
                validUntil: d(w.validUntil),
                // Never a module id on paper: the module's number in the curriculum table above.
                modules: moduleNumbers(w.modules.map((m) => numberOf.get(m.moduleId) ?? 0).filter(Boolean), lang),
              }),
            )
            .join('');
        yield between;
        // Already in tree order (prime, then by tier), by name within each organization.
        for await (const page of parts.workers)
          yield page.workers
            .map((w) =>
              renderFragment('reports/article11-worker-row', {
                name: w.name,
                organization: orgName.get(w.organizationId) ?? '',
                statusWord: t(lang, `status.${w.status}`) + (w.overdue ? `（${overdue}）` : ''),
                serial: w.serial ?? '—',
                validUntil: w.validUntil && (w.status === 'certified' || w.status === 'expiring') ? d(w.validUntil) : '—',
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
const WORKER_ROWS_MARK = '\u0000a4-worker-rows\u0000';
const DIGEST_MARK = '\u0000a4-digest\u0000';

/** The page cut at its two marks: `[before the first, between them, after the second]`; an absent mark cuts nothing off ('' in its place). */
function splitAt(html: string, [first, second]: [string, string]): [string, string, string] {
  const [head, rest] = html.includes(first) ? html.split(first) : ['', html];
  const [between, tail] = rest.includes(second) ? rest.split(second) : ['', rest];
  return [head, between, tail];
}

/** The numbers of the curriculum table a certificate covers, runs shortened: 1–14, or 1–3、5. */
function moduleNumbers(ns: number[], lang: 'ja' | 'en'): string {
  const sorted = [...new Set(ns)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    runs.push(j > i ? `${sorted[i]}–${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return runs.join(t(lang, 'citation.separator'));
}
