import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/auth-user';
import { CloseOutService } from '../close-out/close-out.service';
import { ContentService } from '../content/content.service';
import { ApprovalDto, CreateEngagementDto, ReminderDaysDto } from '../engagements/dto/engagement.dto';
import { EngagementsService } from '../engagements/engagements.service';
import { CreateOrganizationDto } from '../organizations/dto/create-organization.dto';
import { OrganizationsService } from '../organizations/organizations.service';
import { CsrfGuard } from './csrf';
import { todayJst } from '../common/dates';
import { DomainError } from '../common/errors/domain-error';
import { caught, errorSummary, FieldErrors, type FormBody, str, type SummaryItem, validateForm } from './forms';
import { t, type MessageKey } from './i18n';
import { curriculumView, managerStep, treeRows } from './manager-views';
import type { Flash } from './flash';
import type { PageRequest } from './page-context';
import { Pages } from './pages.service';
import { TrackingService } from '../reports/tracking.service';
import { glanceBadge } from './tracking-views';
import {
  DECISION_PAGES,
  decisionFormView,
  type DecisionErrors,
  decisionPage,
  decisionSummary,
  engagementFormInput,
  NEW_ORGANIZATION,
} from './town-views';
import { ReadinessPage } from './readiness-page';

/** Engagements on one page (the API pages through more). */
const PAGE_ENGAGEMENTS = 500;

/** Town staff: the municipality's engagements, creating one, and deciding on subcontractors (Art. 5). */
@ApiExcludeController()
@Roles('town_staff')
@UseGuards(CsrfGuard)
@Controller('town')
export class TownPagesController {
  constructor(
    private readonly pages: Pages,
    private readonly engagements: EngagementsService,
    private readonly organizations: OrganizationsService,
    private readonly content: ContentService,
    private readonly tracking: TrackingService,
    private readonly closeOut: CloseOutService,
    private readonly readinessPage: ReadinessPage,
  ) {}

  @Get()
  async home(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    const lang = this.pages.lang(req);
    const { municipality, engagements } = await this.engagements.overview(req.user!, PAGE_ENGAGEMENTS);
    // Every contract's verdict from one batch read (TrackingService.glance: no read per engagement).
    const glance = await this.tracking.glance(
      req.user!,
      engagements.map((e) => e.engagement.id),
    );
    const rows = engagements.map((e) => ({
      ...e.engagement,
      badge: glanceBadge(glance.get(e.engagement.id), lang),
      primeName: e.primeName,
      modules: e.engagement.curriculum.length,
      subcontractors: e.subcontractors.length,
      pending: e.subcontractors.filter((l) => l.status === 'pending_approval').length,
    }));
    return this.pages.render(req, reply, 'town/home', {
      title: t(lang, 'town.home.title'),
      municipality,
      engagements: rows,
      pendingTotal: rows.reduce((n, r) => n + r.pending, 0),
    });
  }

  @Get('engagements/new')
  newEngagement(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    return this.renderNewEngagement(req, reply, { certificateValidityDays: '365', handlesPersonalInfo: true }, {});
  }

  @Post('engagements')
  async createEngagement(@Req() req: PageRequest, @Res() reply: FastifyReply, @Body() body: FormBody) {
    const user = req.user!;
    const lang = this.pages.lang(req);
    const { input, form } = engagementFormInput(body);
    const newPrime = input.primeContractorId === NEW_ORGANIZATION;
    // Validate the whole form at once, so every field's message shows together.
    const probe = { ...input, primeContractorId: newPrime ? '00000000-0000-4000-8000-000000000000' : input.primeContractorId };
    const v = await validateForm(CreateEngagementDto, probe, lang, 'engagement');
    const errors: FieldErrors = { ...(v.errors ?? {}) };
    const orgInput = {
      name: str(body, 'newPrimeName'),
      corporateNumber: str(body, 'newPrimeCorporateNumber').trim() || undefined,
      contactEmail: str(body, 'newPrimeContactEmail').trim() || undefined,
    };
    const o = newPrime ? await validateForm(CreateOrganizationDto, orgInput, lang, 'organization') : null;
    const newPrimeField: Record<string, string> = {
      name: 'newPrimeName',
      corporateNumber: 'newPrimeCorporateNumber',
      contactEmail: 'newPrimeContactEmail',
    };
    if (o?.errors) for (const [k, m] of Object.entries(o.errors)) errors[newPrimeField[k] ?? 'newPrimeName'] = m;
    // The service refuses an end before the start too; said here with the other fields' messages, not after them.
    if (!errors.startsOn && !errors.endsOn && String(input.endsOn) < String(input.startsOn))
      errors.endsOn = t(lang, 'validation.engagement.endsOn.beforeStart');
    if (!v.value || Object.keys(errors).length) return this.renderNewEngagement(req, reply, form, errors, 400);
    const dto = v.value;
    try {
      // A new prime is registered in the engagement's own transaction: a refusal leaves no organization behind.
      const created =
        newPrime && o?.value ? await this.engagements.createWithNewPrime(user, dto, o.value) : await this.engagements.create(user, dto);
      // A new prime: say what comes next, its manager (invited now, or to invite from the engagement's page).
      const next: Pick<Flash, 'key' | 'params'> = !(newPrime && o?.value)
        ? { key: 'engagement.created' }
        : o.value.contactEmail
          ? { key: 'engagement.createdInvited', params: { email: o.value.contactEmail } }
          : { key: 'engagement.createdNextInvite', params: { name: o.value.name.trim() } };
      this.pages.flash(req, reply, { kind: 'success', ...next });
      return this.pages.redirect(reply, `/town/engagements/${created.id}`);
    } catch (e) {
      const refused = caught(
        e,
        'organization.corporate_number_taken',
        'engagement.contract_number_taken',
        'organization.not_found',
        'engagement.ends_before_start',
        'engagement.unknown_modules',
      );
      if (!refused) throw e;
      const [field, key] = (<Record<typeof refused.code, [string, MessageKey]>>{
        'organization.corporate_number_taken': ['newPrimeCorporateNumber', 'organization.corporateNumberTaken'],
        'engagement.contract_number_taken': ['contractNumber', 'engagement.contractNumberTaken'],
        'organization.not_found': ['primeContractorId', 'engagement.primeUnknown'],
        'engagement.ends_before_start': ['endsOn', 'validation.engagement.endsOn.beforeStart'],
        'engagement.unknown_modules': ['extraModuleIds', 'validation.invalid'],
      })[refused.code];
      return this.renderNewEngagement(req, reply, form, { [field]: t(lang, key) }, refused.status);
    }
  }

  @Get('engagements/:id')
  engagement(@Req() req: PageRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string) {
    return this.renderEngagement(req, reply, id, {});
  }

  /**
   * The days before the start on which unfinished workers are reminded by e-mail: typed as a list
   * ("14, 3", full-width digits and 、 too); empty for none.
   */
  @Post('engagements/:id/reminder-days')
  async setReminderDays(
    @Req() req: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: FormBody,
  ) {
    const lang = this.pages.lang(req);
    // Empty means "none", so the field must be there: a body without it is no form of ours.
    if (Buffer.isBuffer(body) || typeof body?.reminderDays !== 'string') throw new DomainError('input.wrong_type', {}, 'reminderDays');
    const typed = str(body, 'reminderDays');
    const parts = typed
      .normalize('NFKC')
      .split(/[\s,、]+/)
      .filter(Boolean);
    const days = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
    const v = await validateForm(ReminderDaysDto, { reminderDays: days }, lang, 'reminders');
    if (v.errors || days.some(Number.isNaN))
      return this.renderEngagement(
        req,
        reply,
        id,
        { reminderForm: { reminderDays: typed }, reminderError: t(lang, 'reminders.invalidDays') },
        400,
      );
    await this.engagements.setReminderDays(req.user!, id, v.value.reminderDays);
    this.pages.flash(req, reply, { kind: 'success', key: 'reminders.saved' });
    return this.pages.redirect(reply, `/town/engagements/${id}`);
  }

  @Get('approvals')
  approvals(@Req() req: PageRequest, @Res() reply: FastifyReply) {
    return this.renderApprovals(req, reply, {});
  }

  /** The town's written decision on a subcontractor: approve or reject, with its date and reference. */
  @Post('engagements/:id/subcontractors/:organizationId/decision')
  async decide(
    @Req() req: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('organizationId', ParseUUIDPipe) organizationId: string,
    @Body() body: FormBody,
  ) {
    const lang = this.pages.lang(req);
    // The page the form was posted from: a refusal shows that page again, a decision returns to it.
    const page = decisionPage(str(body, 'next'), id);
    const back = DECISION_PAGES[page](id);
    const decision = str(body, 'decision');
    const values = { decidedOn: str(body, 'decidedOn'), reference: str(body, 'reference'), decision };
    const v = await validateForm(
      ApprovalDto,
      { approved: decision === 'approve', decidedOn: values.decidedOn, reference: values.reference },
      lang,
      'approval',
    );
    const errors: FieldErrors = { ...(v.errors ?? {}) };
    if (decision !== 'approve' && decision !== 'reject') errors.decision = t(lang, 'approval.chooseDecision');
    const again = (fieldErrors: FieldErrors, status: number) => {
      const decisionErrors: DecisionErrors = { [`${id}:${organizationId}`]: { errors: fieldErrors, values } };
      const errorSummary = decisionSummary(organizationId, fieldErrors);
      const again = { decisionErrors, errorSummary };
      switch (page) {
        case 'engagement':
          return this.renderEngagement(req, reply, id, again, status);
        case 'readiness':
          return this.readinessPage.render(req, reply, id, again, status);
        case 'approvals':
          return this.renderApprovals(req, reply, again, status);
      }
    };
    if (!v.value || Object.keys(errors).length) return again(errors, 400);
    let decided: Awaited<ReturnType<EngagementsService['decide']>>;
    try {
      decided = await this.engagements.decide(req.user!, id, organizationId, v.value);
    } catch (e) {
      if (!caught(e, 'subcontractor.already_decided')) throw e;
      this.pages.flash(req, reply, { kind: 'error', key: 'approval.alreadyDecided' });
      return this.pages.redirect(reply, back);
    }
    this.pages.flash(req, reply, {
      kind: 'success',
      key: v.value.approved ? 'approval.approved' : 'approval.rejected',
      params: { name: decided.organizationName ?? '' },
    });
    return this.pages.redirect(reply, back);
  }

  private async renderNewEngagement(
    req: PageRequest,
    reply: FastifyReply,
    form: Record<string, unknown>,
    errors: FieldErrors,
    status = 200,
  ) {
    const lang = this.pages.lang(req);
    const chosenExtras = Array.isArray(form.extraModuleIds) ? (form.extraModuleIds as string[]) : [];
    return this.pages.render(
      req,
      reply,
      'town/engagement-new',
      {
        title: t(lang, 'engagement.new.title'),
        form,
        errors,
        organizations: (await this.organizations.pickable(req.user!)).map((o) => ({ ...o, selected: o.id === form.primeContractorId })),
        newPrimeSelected: form.primeContractorId === NEW_ORGANIZATION,
        modules: this.content.list().map((m) => ({
          id: m.id,
          title: m.title[lang],
          always: m.appliesWhen === 'always',
          checked: chosenExtras.includes(m.id),
        })),
      },
      status,
    );
  }

  private async renderEngagement(
    req: PageRequest,
    reply: FastifyReply,
    id: string,
    extra: {
      decisionErrors?: DecisionErrors;
      errorSummary?: SummaryItem[];
      reminderForm?: { reminderDays: string };
      reminderError?: string;
    },
    status = 200,
  ) {
    const lang = this.pages.lang(req);
    const { engagement, primeName, subcontractors } = await this.engagements.detail(req.user!, id);
    const closeOut = await this.closeOut.state(req.user!, id);
    const path = `/town/engagements/${id}`;
    // The organizations the town registered and that still have no manager: their next step, on their rows.
    const awaiting = await this.organizations.awaitingManager(req.user!, [
      engagement.primeContractorId,
      ...subcontractors.map((l) => l.organizationId),
    ]);
    return this.pages.render(
      req,
      reply,
      'town/engagement',
      {
        title: engagement.title,
        engagement,
        closeOut: {
          ...closeOut,
          ended: todayJst() > closeOut.endsOn,
          erasable: !!closeOut.erasableFrom && !closeOut.erasedAt && new Date(closeOut.erasableFrom) <= new Date(),
        },
        reminderDaysText: engagement.reminderDays.join(lang === 'ja' ? '・' : ', '),
        reminderForm: extra.reminderForm ?? { reminderDays: engagement.reminderDays.join(', ') },
        reminderError: extra.reminderError,
        errorSummary: extra.errorSummary ?? errorSummary({ reminderDays: extra.reminderError ?? '' }),
        primeName,
        primeStep: managerStep(engagement.primeContractorId, awaiting, path),
        curriculum: curriculumView(engagement.curriculum, this.content, lang),
        tree: treeRows(engagement.primeContractorId, subcontractors, lang).map((l) => ({
          ...l,
          managerStep: managerStep(l.organizationId, awaiting, path),
          pending: l.status === 'pending_approval',
          decision: decisionFormView(id, l.organizationId, 'engagement', extra.decisionErrors),
        })),
      },
      status,
    );
  }

  private async renderApprovals(
    req: PageRequest,
    reply: FastifyReply,
    extra: { decisionErrors?: DecisionErrors; errorSummary?: SummaryItem[] },
    status = 200,
  ) {
    const lang = this.pages.lang(req);
    const { engagements } = await this.engagements.overview(req.user!, PAGE_ENGAGEMENTS);
    const groups = engagements
      .map(({ engagement, subcontractors }) => ({
        engagement,
        pending: subcontractors
          .filter((l) => l.status === 'pending_approval')
          .map((l) => ({
            ...l,
            tierLabel: t(lang, 'position.tier', { tier: l.tier }),
            decision: decisionFormView(engagement.id, l.organizationId, 'approvals', extra.decisionErrors),
          })),
      }))
      .filter((g) => g.pending.length);
    return this.pages.render(
      req,
      reply,
      'town/approvals',
      { title: t(lang, 'approvals.title'), groups, errorSummary: extra.errorSummary ?? [] },
      status,
    );
  }
}
