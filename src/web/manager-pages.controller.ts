import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth-user';
import { todayJst } from '../common/dates';
import { ContentService } from '../content/content.service';
import { AddSubcontractorDto } from '../engagements/dto/engagement.dto';
import { EngagementsService } from '../engagements/engagements.service';
import { CreateOrganizationDto } from '../organizations/dto/create-organization.dto';
import { OrganizationsService } from '../organizations/organizations.service';
import { AssignDto, CreateWorkerDto } from '../workers/dto/worker.dto';
import { type IssuedCode, WorkersService } from '../workers/workers.service';
import { CsrfGuard } from './csrf';
import type { Flash } from './flash';
import { caught, errorSummary as summaryOf, FieldErrors, type FormBody, list, str, tick, validateForm } from './forms';
import { t, type Lang, type MessageKey } from './i18n';
import { renderDocument } from './document-renderer';
import { signUpSlips } from './signup-slips';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { csvLineMessage, managerEngagementView, positionOf } from './manager-views';
import type { PageRequest } from './page-context';
import { Pages } from './pages.service';
import { TrackingService } from '../reports/tracking.service';
import { organizationBars } from './tracking-views';
import { enrollmentCodesCsv } from './enrollment-codes-csv';

/** Enough workers for one organization's page; larger lists page through the API. */
const PAGE_WORKERS = 500;
/** Engagements on the home page. */
const PAGE_ENGAGEMENTS = 200;
/** The codes that refuse a CSV file as a whole (its encoding, its syntax, its header): said on the import page, with the line. */
const CSV_FILE_CODES = [
  'csv.binary',
  'csv.encoding_mixed',
  'csv.encoding_unsure',
  'csv.file_empty',
  'csv.header_missing',
  'csv.not_csv',
  'csv.syntax',
  'csv.undecodable',
  'csv.unsupported_encoding',
  'csv.user_defined_character',
] as const;
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
    private readonly content: ContentService,
    private readonly tracking: TrackingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  home(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    return this.renderHome(req, reply);
  }

  /** The home page; `formError` (a refused sign-up slip) is said in the error summary at its top. */
  private async renderHome(req: PageRequest, reply: FastifyReply, formError?: string, status = 200) {
    const user = req.user!;
    const lang = this.pages.lang(req);
    const page = await this.workers.list(user, user.organizationId!, PAGE_WORKERS);
    const overview = await this.engagements.overview(user, PAGE_ENGAGEMENTS);
    // 受講の状況 per engagement: the companies the manager sees, counted in one batch read (no read per engagement).
    const glance = await this.tracking.glance(
      user,
      overview.engagements.map((e) => e.engagement.id),
    );
    const engagements = overview.engagements.map(({ engagement, subcontractors }) => {
      const g = glance.get(engagement.id);
      return {
        ...engagement,
        position: positionOf(engagement, subcontractors, user.organizationId!, lang),
        subcontractors: subcontractors.filter((l) => l.organizationId !== user.organizationId).length,
        assigned: g?.totals.assigned ?? 0,
        certified: g?.totals.certified ?? 0,
        bars: g ? organizationBars(g.organizations, lang, `bars-${engagement.id.slice(0, 8)}`) : null,
      };
    });
    return this.pages.render(
      req,
      reply,
      'manager/home',
      {
        title: t(lang, 'manager.home.title'),
        organization: overview.organization,
        engagements,
        workers: page.items,
        moreWorkers: page.nextCursor !== null,
        counts: { workers: page.items.length, enrolled: page.items.filter((w) => w.enrolled).length },
        formError,
      },
      status,
    );
  }

  @Get('workers/new')
  newWorker(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    return this.renderNewWorker(req, reply, {}, {});
  }

  @Post('workers')
  async createWorker(@Req() req: PageRequest, @Res() reply: FastifyReply, @Body() body: FormBody) {
    const lang = this.pages.lang(req);
    const input = {
      name: str(body, 'name'),
      furigana: str(body, 'furigana') || undefined,
      email: str(body, 'email'),
      employeeNumber: str(body, 'employeeNumber') || undefined,
    };
    const v = await validateForm(CreateWorkerDto, input, lang, 'worker');
    if (v.errors) return this.renderNewWorker(req, reply, input, v.errors, 400);
    try {
      const w = await this.workers.create(req.user!, req.user!.organizationId!, v.value);
      // The code exists in the clear only now: shown once on the next page, sealed in the flash.
      this.pages.flash(req, reply, {
        kind: 'success',
        key: 'workers.added',
        params: { name: w.name },
        data: { enrollmentCode: w.enrollmentCode, expiresAt: w.enrollmentCodeExpiresAt, name: w.name, workerId: w.id },
      });
      return this.pages.redirect(reply, '/manager');
    } catch (e) {
      const taken = caught(e, 'worker.email_taken');
      if (taken) return this.renderNewWorker(req, reply, input, { email: t(lang, 'workers.emailTaken') }, taken.status);
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
      // The file as a whole was refused (its encoding, its CSV syntax): say why, with the line.
      const refused = caught(e, ...CSV_FILE_CODES);
      if (!refused) throw e;
      const message = t(lang, `errors.${refused.code}`, refused.params);
      if (isFile)
        return reply
          .code(refused.status)
          .send({ statusCode: refused.status, error: 'Bad Request', code: refused.code, message, requestId: String(req.id) });
      return this.renderImport(req, reply, { csv: text }, { csv: message }, refused.status);
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
      errors: { line: number; problems: { code: string; params?: Record<string, string | number | boolean> }[] }[];
    };
    return this.pages.render(req, reply, 'manager/import-result', {
      title: t(lang, 'import.result.title'),
      flash: null, // the page itself is the message
      summary: d,
      errors: d.errors.map((e) => ({ line: e.line, message: csvLineMessage(e.problems, lang) })),
      moreErrors: d.errorCount - d.errors.length,
    });
  }

  /** The confirmation before new codes for everyone not yet enrolled: it cancels every earlier code. */
  @Get('workers/enrollment-codes')
  confirmCodes(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    return this.renderCodesConfirm(req, reply);
  }

  /**
   * New codes for everyone not yet enrolled (earlier codes stop working), after the confirmation page:
   * printable sign-up slips (`output=slips`) or a CSV for Excel (UTF-8 with one BOM, headers in the
   * page's language, JST). A post without the confirmation's `confirm=yes` (the one-button form of
   * before) is answered with the confirmation page, 400, and nothing is reissued.
   */
  @Post('workers/enrollment-codes')
  async enrollmentCodes(@Req() req: PageRequest, @Res() reply: FastifyReply, @Body() body: FormBody) {
    const output = str(body, 'output');
    if (output !== '' && output !== 'slips' && output !== 'csv') throw new DomainError('input.wrong_type', {}, 'output');
    if (!tick(body, 'confirm') || !output)
      return this.renderCodesConfirm(req, reply, t(this.pages.lang(req), 'codes.confirm.required'), 400);
    const user = req.user!;
    const lang = this.pages.lang(req);
    const codes = await this.workers.reissueCodes(user, user.organizationId!);
    if (output === 'slips') return this.sendSlips(req, reply, codes, lang);
    const csv = enrollmentCodesCsv(codes, lang);
    return reply
      .code(200)
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="enrollment-codes-${todayJst()}.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  }

  /** The confirmation before one worker's new code (their earlier one stops working). */
  @Get('workers/:workerId/enrollment-code')
  async confirmCode(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('workerId', ParseUUIDPipe) workerId: string) {
    const lang = this.pages.lang(req);
    const worker = await this.ownWorker(req, workerId);
    return this.pages.render(req, reply, 'manager/code-confirm', { title: t(lang, 'codes.one.title', { name: worker.name }), worker });
  }

  /** One worker's new code, printed on their sign-up slip (the answer is the slip: the code is in no URL). */
  @Post('workers/:workerId/enrollment-code')
  async reissueCode(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('workerId', ParseUUIDPipe) workerId: string) {
    const lang = this.pages.lang(req);
    try {
      const code = await this.workers.reissueCode(req.user!, workerId);
      return this.sendSlips(req, reply, [code], lang);
    } catch (e) {
      if (!caught(e, 'worker.already_enrolled')) throw e;
      this.pages.flash(req, reply, { kind: 'info', key: 'errors.worker.already_enrolled' });
      return this.pages.redirect(reply, '/manager');
    }
  }

  /**
   * The sign-up slip of a worker just added: the button beside the code shown once on the home page posts
   * the code in the form's body (never a URL), and the slip is the one a reissue prints (sendSlips), with
   * the same code. A code that is no longer the worker's (mistyped, reissued, used, expired) prints nothing:
   * the home page says so at its top, 400.
   */
  @Post('workers/:workerId/slip')
  async slip(
    @Req() req: PageRequest,
    @Res() reply: FastifyReply,
    @Param('workerId', ParseUUIDPipe) workerId: string,
    @Body() body: FormBody,
  ) {
    const lang = this.pages.lang(req);
    try {
      const code = await this.workers.currentCode(req.user!, workerId, str(body, 'enrollmentCode'));
      return this.sendSlips(req, reply, [code], lang);
    } catch (e) {
      const refused = caught(e, 'worker.slip_code_invalid');
      if (!refused) throw e;
      return this.renderHome(req, reply, t(lang, 'errors.worker.slip_code_invalid'), refused.status);
    }
  }

  /**
   * Takes a worker off the engagement (the button beside each assigned worker). Refused while the worker
   * holds a valid certificate for it: said on the page, with what to do.
   */
  @Post('engagements/:id/assignments/:workerId/removal')
  async unassign(
    @Req() req: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('workerId', ParseUUIDPipe) workerId: string,
  ) {
    try {
      await this.workers.unassign(req.user!, id, workerId);
      this.pages.flash(req, reply, { kind: 'success', key: 'unassign.done' });
    } catch (e) {
      const refused = caught(e, 'assignment.certified', 'assignment.not_found');
      if (!refused) throw e;
      this.pages.flash(req, reply, { kind: 'error', key: `errors.${refused.code}` });
    }
    return this.pages.redirect(reply, `/manager/engagements/${id}`);
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
      const refused = caught(e, 'assignment.organization_refused');
      if (!refused) throw e;
      return this.renderEngagement(req, reply, id, { assignErrors: { workerIds: t(lang, 'assign.notOnEngagement') } }, refused.status);
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
    const existing = str(body, 'organizationId');
    const form = {
      organizationId: existing,
      name: str(body, 'name'),
      corporateNumber: str(body, 'corporateNumber').trim(),
      contactEmail: str(body, 'contactEmail').trim(),
    };
    const fail = (errors: FieldErrors, status: number) =>
      this.renderEngagement(req, reply, id, { subForm: form, subErrors: errors }, status);
    let added: Awaited<ReturnType<EngagementsService['addSubcontractor']>>;
    try {
      if (existing) {
        const v = await validateForm(
          AddSubcontractorDto,
          { organizationId: existing, parentOrganizationId: user.organizationId },
          lang,
          'subcontractor',
        );
        if (v.errors) return fail({ organizationId: t(lang, 'validation.isUuid') }, 400);
        added = await this.engagements.addSubcontractor(user, id, v.value);
      } else {
        const v = await validateForm(
          CreateOrganizationDto,
          { name: form.name, corporateNumber: form.corporateNumber || undefined, contactEmail: form.contactEmail || undefined },
          lang,
          'organization',
        );
        if (v.errors) return fail(v.errors, 400);
        // The new company and its link in one transaction: a refusal leaves no organization behind.
        added = await this.engagements.addNewSubcontractor(user, id, user.organizationId!, v.value);
      }
    } catch (e) {
      const refused = caught(
        e,
        'organization.corporate_number_taken',
        'organization.not_found',
        'subcontractor.parent_not_on_engagement',
        'subcontractor.parent_refused',
        'subcontractor.already_on_engagement',
      );
      if (!refused) throw e;
      const errors: FieldErrors =
        refused.code === 'organization.corporate_number_taken'
          ? { corporateNumber: t(lang, 'organization.corporateNumberTaken') }
          : refused.code === 'organization.not_found'
            ? { organizationId: t(lang, 'subcontractor.unknown') }
            : { _form: t(lang, 'subcontractor.conflict') };
      return fail(errors, refused.status);
    }
    // A company registered now: say what comes next, its manager (invited now, or to invite from its row).
    const name = added.organizationName ?? '';
    const next: Pick<Flash, 'key' | 'params'> = existing
      ? { key: 'subcontractor.added', params: { name } }
      : form.contactEmail
        ? { key: 'subcontractor.addedInvited', params: { name, email: form.contactEmail } }
        : { key: 'subcontractor.addedNextInvite', params: { name } };
    this.pages.flash(req, reply, { kind: 'success', ...next });
    return this.pages.redirect(reply, `/manager/engagements/${id}`);
  }

  private async renderEngagement(req: PageRequest, reply: FastifyReply, id: string, extra: Record<string, unknown>, status = 200) {
    const user = req.user!;
    const lang = this.pages.lang(req);
    const { engagement, subcontractors } = await this.engagements.detail(user, id);
    const workers = await this.workers.forAssignment(user, id, PAGE_WORKERS);
    const onTree = new Set([engagement.primeContractorId, ...subcontractors.map((l) => l.organizationId)]);
    const pickable = (await this.organizations.pickable(user)).filter((o) => !onTree.has(o.id) && o.id !== user.organizationId);
    // Subcontractors this side registered that still have no manager: their next step, on their rows.
    const awaiting = await this.organizations.awaitingManager(
      user,
      subcontractors.map((l) => l.organizationId),
    );
    const view = managerEngagementView({
      engagement,
      links: subcontractors,
      awaiting,
      workers,
      pickable,
      orgId: user.organizationId!,
      lang,
      content: this.content,
    });
    // The summary links a checkbox group's message to its first box, as the design systems do.
    const firstBox = workers.find((w) => !w.assigned);
    const errorSummary = [
      ...summaryOf(extra.assignErrors as FieldErrors | undefined, firstBox ? { workerIds: `w-${firstBox.id}` } : {}),
      ...summaryOf(extra.subErrors as FieldErrors | undefined, { organizationId: 'organizationId' }, 'sub-'),
    ];
    return this.pages.render(
      req,
      reply,
      'manager/engagement',
      { title: engagement.title, ...view, subForm: {}, subErrors: {}, assignErrors: {}, ...extra, errorSummary },
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

  private async renderCodesConfirm(req: PageRequest, reply: FastifyReply, formError?: string, status = 200) {
    const lang = this.pages.lang(req);
    const page = await this.workers.list(req.user!, req.user!.organizationId!, PAGE_WORKERS);
    return this.pages.render(
      req,
      reply,
      'manager/codes-confirm',
      { title: t(lang, 'codes.confirm.title'), unenrolled: page.items.filter((w) => !w.enrolled).length, formError },
      status,
    );
  }

  /** One of the manager's own workers not enrolled yet, for a code's confirmation; 404 otherwise (the same answer). */
  private async ownWorker(req: PageRequest, workerId: string) {
    const page = await this.workers.list(req.user!, req.user!.organizationId!, PAGE_WORKERS);
    const worker = page.items.find((w) => w.id === workerId && !w.enrolled);
    if (!worker) throw new DomainError('worker.not_found');
    return worker;
  }

  /** The sign-up slips as an A4 document (views/manager/slips.hbs), never cached: the codes are in it. */
  private async sendSlips(req: PageRequest, reply: FastifyReply, codes: IssuedCode[], lang: Lang) {
    const facts = await this.workers.slipFacts(req.user!, req.user!.organizationId!);
    const slips = await signUpSlips(codes, facts, this.config.publicBaseUrl, lang);
    const w = (key: MessageKey, params?: Record<string, string | number>) => t(lang, key, params);
    const html = renderDocument(
      'manager/slips',
      {
        lang,
        title: w('slip.title'),
        slips,
        heading: w('slip.heading'),
        lead: w('slip.lead'),
        urlLabel: w('slip.url'),
        codeLabel: w('slip.code'),
        passwordLabel: w('slip.password'),
        loginIdLabel: w('slip.loginId'),
        codeExpiresLabel: w('slip.codeExpires'),
        trainingByLabel: w('slip.trainingBy'),
        keepNote: w('slip.keep'),
        toolbarLabel: w('slip.toolbar'),
        backLabel: w('slip.back'),
        note: w('slip.note', { n: slips.length }),
        printHint: w('slip.printHint'),
        printLabel: w('slip.print'),
      },
      'layouts/slip',
    );
    return reply.code(200).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  }
}
