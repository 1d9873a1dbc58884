import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccessService } from '../access/access.service';
import { Roles } from '../auth/auth-user';
import { todayJst } from '../common/dates';
import { ContentService } from '../content/content.service';
import { AddSubcontractorDto } from '../engagements/dto/engagement.dto';
import { EngagementsService } from '../engagements/engagements.service';
import { CreateOrganizationDto } from '../organizations/dto/create-organization.dto';
import { OrganizationsService } from '../organizations/organizations.service';
import { AssignDto, CreateWorkerDto } from '../workers/dto/worker.dto';
import { WorkersService } from '../workers/workers.service';
import { DomainError } from '../common/errors/domain-error';
import { CsrfGuard } from './csrf';
import { FieldErrors, type FormBody, httpError, list, str, validateForm } from './forms';
import { t } from './i18n';
import { csvLineMessage, managerEngagementView, positionOf } from './manager-views';
import type { PageRequest } from './page-context';
import { Pages } from './pages.service';

/** Enough workers for one organization's page; larger lists page through the API. */
const PAGE_WORKERS = 500;
/** Import errors carried to the result page (the flash cookie must stay small). */
const SHOWN_IMPORT_ERRORS = 30;

/** The organization manager's pages: workers, CSV import, enrollment codes, assignments, subcontractors. */
@ApiExcludeController()
@Roles('org_manager')
@UseGuards(CsrfGuard)
@Controller('manager')
export class ManagerPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly workers: WorkersService,
    private readonly engagements: EngagementsService,
    private readonly organizations: OrganizationsService,
    private readonly access: AccessService,
    private readonly content: ContentService,
  ) {}

  @Get()
  async home(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    const user = req.user!;
    const lang = this.pages.lang(req);
    const org = await this.access.organization(user, user.organizationId!);
    const page = await this.workers.list(user, org.id, PAGE_WORKERS);
    const engagements = await Promise.all(
      (await this.engagements.list(user, 200)).items.map(async (e) => {
        const links = (await this.engagements.listSubcontractors(user, e.id)).items;
        return {
          ...e,
          position: positionOf(e, links, user.organizationId!, lang),
          subcontractors: links.filter((l) => l.organizationId !== user.organizationId).length,
        };
      }),
    );
    return this.pages.render(req, reply, 'manager/home', {
      title: t(lang, 'manager.home.title'),
      organization: org,
      engagements,
      workers: page.items,
      moreWorkers: page.nextCursor !== null,
      counts: { workers: page.items.length, enrolled: page.items.filter((w) => w.enrolled).length },
    });
  }

  @Get('workers/new')
  newWorker(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    return this.renderNewWorker(req, reply, {}, {});
  }

  @Post('workers')
  async createWorker(@Req() req: PageRequest, @Res() reply: FastifyReply, @Body() body: FormBody) {
    const lang = this.pages.lang(req);
    const input = { name: str(body, 'name'), email: str(body, 'email'), employeeNumber: str(body, 'employeeNumber') || undefined };
    const v = await validateForm(CreateWorkerDto, input, lang, 'worker');
    if (v.errors) return this.renderNewWorker(req, reply, input, v.errors, 400);
    try {
      const w = await this.workers.create(req.user!, req.user!.organizationId!, v.value);
      // The code exists in the clear only now: shown once on the next page, sealed in the flash.
      this.pages.flash(req, reply, {
        kind: 'success',
        key: 'workers.added',
        params: { name: w.name },
        data: { enrollmentCode: w.enrollmentCode, expiresAt: w.enrollmentCodeExpiresAt, name: w.name },
      });
      return this.pages.redirect(reply, '/manager');
    } catch (e) {
      if (httpError(e)?.status === 409) return this.renderNewWorker(req, reply, input, { email: t(lang, 'workers.emailTaken') }, 409);
      throw e;
    }
  }

  @Get('workers/import')
  importForm(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    return this.renderImport(req, reply, {}, {});
  }

  /**
   * Two ways in: public/upload.js posts the chosen file's bytes as text/csv
   * (Excel's Shift_JIS stays intact, decoded by the service) and gets JSON
   * back; without JavaScript, the pasted text arrives as a form field.
   */
  @Post('workers/import')
  async importCsv(@Req() req: PageRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const lang = this.pages.lang(req);
    const isFile = Buffer.isBuffer(body);
    const text = isFile ? '' : str(body as FormBody, 'csv');
    if (!isFile && !text.trim()) return this.renderImport(req, reply, { csv: text }, { csv: t(lang, 'import.empty') }, 400);
    let result: Awaited<ReturnType<WorkersService['import']>>;
    try {
      result = await this.workers.import(
        req.user!,
        req.user!.organizationId!,
        isFile ? (body as Buffer) : Buffer.from(text, 'utf8'),
        false,
      );
    } catch (e) {
      if (httpError(e)?.status !== 400) throw e;
      // The file as a whole was refused (its encoding, its CSV syntax): say why, with the line.
      const message =
        e instanceof DomainError ? t(lang, `errors.${e.code}`, e.params) : t(lang, isFile ? 'import.invalidFile' : 'import.invalidCsv');
      if (isFile) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message, requestId: String(req.id) });
      return this.renderImport(req, reply, { csv: text }, { csv: message }, 400);
    }
    this.pages.flash(req, reply, {
      kind: result.errorCount ? 'info' : 'success',
      key: 'import.done',
      data: {
        created: result.created,
        updated: result.updated,
        unchanged: result.unchanged,
        errorCount: result.errorCount,
        // Codes only: the words are chosen on the result page, in its language.
        errors: result.errors.slice(0, SHOWN_IMPORT_ERRORS).map((e) => ({ line: e.line, problems: e.problems })),
      },
    });
    const next = '/manager/workers/import/result';
    return isFile ? reply.code(200).send({ next }) : this.pages.redirect(reply, next);
  }

  @Get('workers/import/result')
  importResult(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    const lang = this.pages.lang(req);
    const flash = this.pages.takeFlash(req, reply);
    if (flash?.key !== 'import.done' || !flash.data) return this.pages.redirect(reply, '/manager/workers/import');
    const d = flash.data as {
      created: number;
      updated: number;
      unchanged: number;
      errorCount: number;
      errors: { line: number; problems: { code: string; params?: Record<string, unknown> }[] }[];
    };
    return this.pages.render(req, reply, 'manager/import-result', {
      title: t(lang, 'import.result.title'),
      flash: null, // the page itself is the message
      summary: d,
      errors: d.errors.map((e) => ({ line: e.line, message: csvLineMessage(e.problems, lang) })),
      moreErrors: d.errorCount - d.errors.length,
    });
  }

  /** New codes for everyone not yet enrolled, as a CSV for Excel (UTF-8 with BOM). Earlier codes stop working. */
  @Post('workers/enrollment-codes')
  async enrollmentCodes(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    const csv = await this.workers.reissueCodes(req.user!, req.user!.organizationId!);
    return reply
      .code(200)
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="enrollment-codes-${todayJst()}.csv"`)
      .header('cache-control', 'no-store')
      .send('\uFEFF' + csv);
  }

  @Get('engagements/:id')
  engagement(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string) {
    return this.renderEngagement(req, reply, id, {});
  }

  @Post('engagements/:id/assignments')
  async assign(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string, @Body() body: FormBody) {
    const lang = this.pages.lang(req);
    const v = await validateForm(AssignDto, { workerIds: list(body, 'workerIds') }, lang, 'assign');
    if (v.errors) return this.renderEngagement(req, reply, id, { assignErrors: v.errors }, 400);
    try {
      const r = await this.workers.assign(req.user!, id, v.value.workerIds);
      this.pages.flash(req, reply, { kind: 'success', key: 'assign.done', params: { count: r.assigned.length } });
    } catch (e) {
      if (httpError(e)?.status !== 409) throw e;
      return this.renderEngagement(req, reply, id, { assignErrors: { workerIds: t(lang, 'assign.notOnEngagement') } }, 409);
    }
    return this.pages.redirect(reply, `/manager/engagements/${id}`);
  }

  /**
   * Article 5: a subcontractor directly below the manager's own organization,
   * either one their side registered before or a new company registered now.
   * It waits for the town's written approval.
   */
  @Post('engagements/:id/subcontractors')
  async addSubcontractor(
    @Req() req: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: FormBody,
  ) {
    const user = req.user!;
    const lang = this.pages.lang(req);
    await this.engagements.get(user, id); // 404 before anything is registered
    const existing = str(body, 'organizationId');
    const form = {
      organizationId: existing,
      name: str(body, 'name'),
      corporateNumber: str(body, 'corporateNumber').trim(),
      contactEmail: str(body, 'contactEmail').trim(),
    };
    const fail = (errors: FieldErrors, status: number) =>
      this.renderEngagement(req, reply, id, { subForm: form, subErrors: errors }, status);
    let organizationId = existing;
    try {
      if (existing) {
        const v = await validateForm(
          AddSubcontractorDto,
          { organizationId, parentOrganizationId: user.organizationId },
          lang,
          'subcontractor',
        );
        if (v.errors) return fail({ organizationId: t(lang, 'validation.isUuid') }, 400);
        await this.engagements.addSubcontractor(user, id, v.value);
      } else {
        const v = await validateForm(
          CreateOrganizationDto,
          { name: form.name, corporateNumber: form.corporateNumber || undefined, contactEmail: form.contactEmail || undefined },
          lang,
          'organization',
        );
        if (v.errors) return fail(v.errors, 400);
        // The new company and its link in one transaction: a refusal leaves no organization behind.
        organizationId = (await this.engagements.addNewSubcontractor(user, id, user.organizationId!, v.value)).organizationId;
      }
    } catch (e) {
      const h = httpError(e);
      if (h?.code === 'organization.corporate_number_taken')
        return fail({ corporateNumber: t(lang, 'organization.corporateNumberTaken') }, 409);
      if (h?.status === 404) return fail({ organizationId: t(lang, 'subcontractor.unknown') }, 404);
      if (h?.status === 409) return fail({ _form: t(lang, 'subcontractor.conflict') }, 409);
      throw e;
    }
    const name = (await this.organizations.names(user, [organizationId])).get(organizationId) ?? '';
    this.pages.flash(req, reply, { kind: 'success', key: 'subcontractor.added', params: { name } });
    return this.pages.redirect(reply, `/manager/engagements/${id}`);
  }

  private async renderEngagement(req: PageRequest, reply: FastifyReply, id: string, extra: Record<string, unknown>, status = 200) {
    const user = req.user!;
    const lang = this.pages.lang(req);
    const engagement = await this.engagements.get(user, id);
    const links = (await this.engagements.listSubcontractors(user, id)).items;
    const workers = (await this.workers.list(user, user.organizationId!, PAGE_WORKERS)).items;
    const assigned = new Set(await this.workers.assignedWorkerIds(user, id));
    const onTree = new Set([engagement.primeContractorId, ...links.map((l) => l.organizationId)]);
    const pickable = (await this.organizations.pickable(user)).filter((o) => !onTree.has(o.id) && o.id !== user.organizationId);
    const view = managerEngagementView({
      engagement,
      links,
      workers,
      assigned,
      pickable,
      orgId: user.organizationId!,
      lang,
      content: this.content,
    });
    return this.pages.render(
      req,
      reply,
      'manager/engagement',
      { title: engagement.title, ...view, subForm: {}, subErrors: {}, assignErrors: {}, ...extra },
      status,
    );
  }

  private renderNewWorker(req: PageRequest, reply: FastifyReply, form: Record<string, unknown>, errors: FieldErrors, status = 200) {
    return this.pages.render(
      req,
      reply,
      'manager/worker-new',
      { title: t(this.pages.lang(req), 'workers.new.title'), form, errors },
      status,
    );
  }

  private renderImport(req: PageRequest, reply: FastifyReply, form: Record<string, unknown>, errors: FieldErrors, status = 200) {
    return this.pages.render(
      req,
      reply,
      'manager/import',
      { title: t(this.pages.lang(req), 'import.title'), form, errors, scripts: ['/assets/upload.js'] },
      status,
    );
  }
}
