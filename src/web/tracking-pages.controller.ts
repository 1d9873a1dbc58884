import { Controller, Get, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccessService } from '../access/access.service';
import { Roles, type AuthUser } from '../auth/auth-user';
import { todayJst } from '../common/dates';
import { ContentService } from '../content/content.service';
import { ProgressQuery } from '../reports/dto/tracking.dto';
import { TrackingService } from '../reports/tracking.service';
import { caught, FieldErrors, validateForm } from './forms';
import { t } from './i18n';
import type { PageRequest } from './page-context';
import { Pages } from './pages.service';
import { progressCsv } from './progress-csv';
import { ReadinessPage } from './readiness-page';
import { filterQuery, ProgressFilters, progressView, trackingLinks } from './tracking-views';

/** Workers per progress page; the cursor (a worker id, never a name) leads on. */
const PAGE_SIZE = 100;

type RawFilters = { status?: string; organizationId?: string; cursor?: string };

/**
 * Tracking for town staff and organization managers: progress of the
 * visible tree (a manager's own subtree) with filters and its CSV, and the
 * readiness verdict (town staff and the prime's managers). TrackingService
 * decides what each caller may see; a page only shapes it.
 */
@ApiExcludeController()
@Roles('town_staff', 'org_manager')
@Controller('engagements/:id')
export class TrackingPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly access: AccessService,
    private readonly tracking: TrackingService,
    private readonly content: ContentService,
    private readonly readinessPage: ReadinessPage,
  ) {}

  @Get('progress')
  async progress(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string, @Query() raw: RawFilters) {
    const user = req.user!;
    const lang = this.pages.lang(req);
    const { filters, cursor, errors } = await this.filters(raw, lang);
    let p: Awaited<ReturnType<TrackingService['progress']>>;
    try {
      p = await this.tracking.progress(user, id, { ...filters, cursor, limit: PAGE_SIZE });
    } catch (e) {
      // An organization outside the caller's tree is refused like a missing one: said next to the filter, the rest shown unfiltered.
      if (!caught(e, 'organization.not_on_engagement') || !filters.organizationId) throw e;
      errors.organizationId = t(lang, 'validation.progress.organizationId.isUuid');
      filters.organizationId = undefined;
      p = await this.tracking.progress(user, id, { ...filters, limit: PAGE_SIZE });
    }
    const engagement = p.engagement;
    const { town, seesReadiness, revokes } = await this.standing(user, id);
    return this.pages.render(
      req,
      reply,
      'tracking/progress',
      {
        title: `${t(lang, 'progress.title')} | ${engagement.title}`,
        engagement,
        ...trackingLinks(id, town, seesReadiness),
        ...progressView(p, filters, this.content, lang, revokes),
        errors,
        reminderDaysText: (engagement.reminderDays ?? []).join(lang === 'ja' ? '・' : ', '),
        firstHref: cursor ? `/engagements/${id}/progress${filterQuery(filters)}` : null,
      },
      Object.keys(errors).length ? 400 : 200,
    );
  }

  /** The progress as CSV for Excel (UTF-8 with BOM, headers in the page's language), with the page's filters. TrackingService records the export. */
  @Get('progress.csv')
  async progressCsv(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string, @Query() raw: RawFilters) {
    const lang = this.pages.lang(req);
    const { filters, errors } = await this.filters(raw, lang);
    if (Object.keys(errors).length) return this.pages.redirect(reply, `/engagements/${id}/progress${filterQuery(filters)}`);
    const csv = progressCsv(await this.tracking.progressExport(req.user!, id, { ...filters, lang }), lang, this.content);
    return reply
      .code(200)
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="progress-${todayJst()}.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  }

  @Get('readiness')
  readiness(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string) {
    return this.readinessPage.render(req, reply, id);
  }

  /**
   * What the caller may do here, from the access policy: decide approvals
   * (the town's side of the engagement), see readiness and the report,
   * revoke certificates. The page offers exactly those links and forms.
   */
  private async standing(user: AuthUser, engagementId: string) {
    const [town, seesReadiness, revokes] = await Promise.all([
      this.access.can(user, 'engagement.subcontractors.decide', engagementId),
      this.access.can(user, 'engagement.readiness.read', engagementId),
      this.access.can(user, 'certificate.revoke', engagementId),
    ]);
    return { town, seesReadiness, revokes };
  }

  /** The filters from the query, checked with the API's own DTO; a bad value is named next to its field and left out. */
  private async filters(raw: RawFilters, lang: 'ja' | 'en'): Promise<{ filters: ProgressFilters; cursor?: string; errors: FieldErrors }> {
    const pick = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const input = { status: pick(raw.status), organizationId: pick(raw.organizationId), cursor: pick(raw.cursor) };
    const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
    const v = await validateForm(ProgressQuery, defined, lang, 'progress');
    const errors: FieldErrors = { ...(v.errors ?? {}) };
    const ok = (k: keyof typeof input) => (errors[k] ? undefined : input[k]);
    return {
      filters: { status: ok('status') as ProgressFilters['status'], organizationId: ok('organizationId') },
      cursor: ok('cursor'),
      errors,
    };
  }
}
