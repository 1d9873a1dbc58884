import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth-user';
import { ItemAnalysisQuery } from '../item-analysis/dto/item-analysis-query.dto';
import { ItemAnalysisService } from '../item-analysis/item-analysis.service';
import { validateForm } from './forms';
import { t } from './i18n';
import { itemAnalysisListView, itemAnalysisView } from './item-analysis-views';
import type { PageRequest } from './page-context';
import { Pages } from './pages.service';

/**
 * The content pages: the item analysis of the question banks, for content
 * authors (whose home it is) and the admin. ItemAnalysisService checks the
 * permission; nothing here is about people.
 */
@ApiExcludeController()
@Roles('admin', 'content_author')
@Controller('content/item-analysis')
export class ContentPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly analysis: ItemAnalysisService,
  ) {}

  /** Every module at its current revision, with the sittings analysed and its flagged questions. */
  @Get()
  async list(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    const lang = this.pages.lang(req);
    const modules = itemAnalysisListView(await this.analysis.summaries(req.user!), lang);
    return this.pages.render(req, reply, 'content/item-analysis-list', { title: t(lang, 'itemAnalysis.title'), modules });
  }

  /** One module: a table per question. `?revision=&attempts=` as the API; a value it refuses leads back to the plain page. */
  @Get(':moduleId')
  async module(
    @Req() req: PageRequest,
    @Res() reply: FastifyReply,
    @Param('moduleId') moduleId: string,
    @Query() raw: { revision?: string; attempts?: string },
  ) {
    const lang = this.pages.lang(req);
    const input = Object.fromEntries(
      Object.entries({ revision: raw.revision, attempts: raw.attempts }).filter(([, v]) => typeof v === 'string' && v !== ''),
    );
    const v = await validateForm(ItemAnalysisQuery, input, lang, 'itemAnalysis');
    if (v.errors) return this.pages.redirect(reply, `/content/item-analysis/${encodeURIComponent(moduleId)}`);
    const view = itemAnalysisView(await this.analysis.analyse(req.user!, moduleId, v.value), lang);
    return this.pages.render(req, reply, 'content/item-analysis', {
      title: t(lang, 'itemAnalysis.moduleTitle', { module: view.moduleTitle }),
      ...view,
    });
  }
}
