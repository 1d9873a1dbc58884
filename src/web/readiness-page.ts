import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AccessService } from '../access/access.service';
import { daysUntil } from '../common/dates';
import { EngagementsService } from '../engagements/engagements.service';
import { TrackingService } from '../reports/tracking.service';
import type { SummaryItem } from './forms';
import { t } from './i18n';
import type { PageRequest } from './page-context';
import { Pages } from './pages.service';
import { decisionFormView, type DecisionErrors } from './town-views';
import { readinessView, startWords, trackingLinks } from './tracking-views';

/**
 * The readiness page (`/engagements/:id/readiness`, views/tracking/readiness.hbs), for the page's own
 * GET and for a decision posted from it and refused (TownPagesController.decide): the same page again,
 * its form showing what was typed and why it was refused, the error summary at its top.
 */
@Injectable()
export class ReadinessPage {
  constructor(
    private readonly pages: Pages,
    private readonly access: AccessService,
    private readonly tracking: TrackingService,
    private readonly engagements: EngagementsService,
  ) {}

  async render(
    req: PageRequest,
    reply: FastifyReply,
    id: string,
    extra: { decisionErrors?: DecisionErrors; errorSummary?: SummaryItem[] } = {},
    status = 200,
  ) {
    const user = req.user!;
    const lang = this.pages.lang(req);
    const r = await this.tracking.readiness(user, id);
    const { engagement, subcontractors } = await this.engagements.detail(user, id);
    // The town's side of the engagement decides approvals, here as on its other pages.
    const town = await this.access.can(user, 'engagement.subcontractors.decide', id);
    const tiers = new Map(subcontractors.map((l) => [l.organizationId, l.tier]));
    const view = readinessView({ r, engagementId: id, tiers, town, lang });
    return this.pages.render(
      req,
      reply,
      'tracking/readiness',
      {
        title: `${t(lang, 'readiness.title')} | ${engagement.title}`,
        engagement,
        checkedAt: r.checkedAt,
        counts: r.counts,
        startWords: startWords(daysUntil(r.startsOn), lang),
        ...trackingLinks(id, town, true),
        ...view,
        groups: view.groups.map((g) => ({
          ...g,
          decision: g.approval?.decision ? decisionFormView(id, g.id, 'readiness', extra.decisionErrors) : null,
        })),
        errorSummary: extra.errorSummary ?? [],
      },
      status,
    );
  }
}
