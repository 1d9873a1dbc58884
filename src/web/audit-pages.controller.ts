import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuditService } from '../audit/audit.service';
import { AuditQuery } from '../audit/dto/audit-query.dto';
import { Roles } from '../auth/auth-user';
import { todayJst } from '../common/dates';
import { EngagementsService } from '../engagements/engagements.service';
import { auditActionOptions, auditCsv, auditQuery, type AuditPageFilters, auditRows } from './audit-views';
import { caught, type FieldErrors, validateForm } from './forms';
import { lookup, t } from './i18n';
import type { PageRequest } from './page-context';
import { Pages } from './pages.service';

/** Events on one page of /town/audit. */
const PAGE_SIZE = 50;
/** Engagements offered in the filter. */
const ENGAGEMENTS = 500;

type RawFilters = Record<'engagementId' | 'actorId' | 'action' | 'from' | 'to' | 'cursor', unknown>;

/**
 * The audit trail for people (issue 20): town staff over their municipality's engagements, the admin
 * over everything (AuditService.search; src/access scopes the list and decides whose names are shown).
 * Filters by engagement, actor, kind and JST days, all in the query string (ids and kinds only); the
 * project's cursor pages back in time; the CSV takes the same filters and is itself recorded in the
 * trail. GET only: the page changes nothing.
 */
@ApiExcludeController()
@Roles('town_staff', 'admin')
@Controller('town')
export class AuditPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly audit: AuditService,
    private readonly engagements: EngagementsService,
  ) {}

  @Get('audit')
  async page(@Req() req: PageRequest, @Res() reply: FastifyReply, @Query() raw: RawFilters) {
    const user = req.user!;
    const lang = this.pages.lang(req);
    const { filters, cursor, errors } = await this.filters(raw, lang);
    let page;
    try {
      page = await this.audit.search(user, { ...filters, limit: PAGE_SIZE, cursor });
    } catch (e) {
      if (!caught(e, 'pagination.invalid_cursor')) throw e;
      errors.cursor = t(lang, 'errors.pagination.invalid_cursor');
      page = await this.audit.search(user, { ...filters, limit: PAGE_SIZE });
    }
    const [{ engagements }, actors] = await Promise.all([this.engagements.overview(user, ENGAGEMENTS), this.audit.actors(user)]);
    return this.pages.render(
      req,
      reply,
      'town/audit',
      {
        title: t(lang, 'audit.title'),
        admin: user.role === 'admin',
        form: filters,
        errors,
        engagements: engagements.map((e) => ({
          id: e.engagement.id,
          title: e.engagement.title,
          selected: e.engagement.id === filters.engagementId,
        })),
        actors: actors.map((a) => ({
          id: a.id,
          label: a.name
            ? t(lang, 'audit.actorNamed', { name: a.name, role: lookup(lang, `audit.role.${a.role}`) ?? a.role })
            : t(lang, 'audit.actorUnnamed', { role: lookup(lang, `audit.role.${a.role}`) ?? a.role, id: a.id.slice(0, 8) }),
          selected: a.id === filters.actorId,
        })),
        actions: auditActionOptions(lang, filters.action),
        rows: auditRows(page, lang),
        filtered: Object.values(filters).some(Boolean),
        csvHref: `/town/audit.csv${auditQuery(filters)}`,
        nextHref: page.nextCursor ? `/town/audit${auditQuery(filters, { cursor: page.nextCursor })}` : null,
        firstHref: cursor ? `/town/audit${auditQuery(filters)}` : null,
      },
      Object.keys(errors).length ? 400 : 200,
    );
  }

  /** The filtered trail as CSV for Excel (UTF-8 BOM, Japanese headers, JST); AuditService records the export. */
  @Get('audit.csv')
  async csv(@Req() req: PageRequest, @Res() reply: FastifyReply, @Query() raw: RawFilters) {
    const lang = this.pages.lang(req);
    const { filters, errors } = await this.filters(raw, lang);
    if (Object.keys(errors).length) return this.pages.redirect(reply, `/town/audit${auditQuery(filters)}`);
    const page = await this.audit.export(req.user!, filters);
    return reply
      .code(200)
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-${todayJst()}.csv"`)
      .header('cache-control', 'no-store')
      .send(auditCsv(page, lang));
  }

  /** The filters from the query, checked with the API's own DTO; a bad value is named next to its field and left out. */
  private async filters(raw: RawFilters, lang: 'ja' | 'en') {
    const pick = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const input = {
      engagementId: pick(raw.engagementId),
      actorId: pick(raw.actorId),
      action: pick(raw.action),
      from: pick(raw.from),
      to: pick(raw.to),
      cursor: pick(raw.cursor),
    };
    const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
    const v = await validateForm(AuditQuery, defined, lang, 'audit');
    const errors: FieldErrors = { ...(v.errors ?? {}) };
    const ok = (k: keyof typeof input) => (errors[k] ? undefined : input[k]);
    const filters: AuditPageFilters & { action?: AuditQuery['action'] } = {
      engagementId: ok('engagementId'),
      actorId: ok('actorId'),
      action: ok('action') as AuditQuery['action'],
      from: ok('from'),
      to: ok('to'),
    };
    return { filters, cursor: ok('cursor'), errors };
  }
}
