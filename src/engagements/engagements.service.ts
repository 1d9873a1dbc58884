import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { AccessService } from '../access/access.service';
import { AuditService } from '../audit/audit.service';
import { IssuanceService } from '../certificates/issuance.service';
import type { AuthUser } from '../auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import { decodeCursor, Page, toPage } from '../common/pagination/pagination';
import { ContentService } from '../content/content.service';
import { conditionalUpdate } from '../database/conditional-update';
import { TransactionService } from '../database/transaction.service';
import { Municipality } from '../municipalities/municipality.entity';
import { CreateOrganizationDto } from '../organizations/dto/create-organization.dto';
import { Organization } from '../organizations/organization.entity';
import { OrganizationsService } from '../organizations/organizations.service';
import { AddSubcontractorDto, ApprovalDto, CreateEngagementDto } from './dto/engagement.dto';
import { Engagement } from './engagement.entity';
import { SubcontractLink } from './subcontract-link.entity';

export const engagementView = (e: Engagement) => ({
  id: e.id,
  municipalityId: e.municipalityId,
  title: e.title,
  contractNumber: e.contractNumber,
  primeContractorId: e.primeOrganizationId,
  startsOn: e.startsOn,
  endsOn: e.endsOn,
  handlesPersonalInfo: e.handlesPersonalInfo,
  handlesMyNumber: e.handlesMyNumber,
  usesCloudStorage: e.usesCloudStorage,
  extraModuleIds: e.extraModuleIds,
  curriculum: e.curriculum,
  passMark: e.passMark,
  certificateValidityDays: e.certificateValidityDays,
  reminderDays: e.reminderDays ?? DEFAULT_REMINDER_DAYS,
  createdAt: e.createdAt.toISOString(),
});

/** Automatic reminders by default: two weeks and three days before the start (issue 19). */
export const DEFAULT_REMINDER_DAYS = [14, 3];
/** Largest first, each once. */
const reminderSchedule = (days: number[]) => [...new Set(days)].sort((a, b) => b - a);

const linkView = (l: SubcontractLink, name?: string) => ({
  organizationId: l.organizationId,
  ...(name !== undefined ? { organizationName: name } : {}),
  parentOrganizationId: l.parentOrganizationId,
  tier: l.tier,
  status: l.status,
  decidedOn: l.decidedOn,
  reference: l.reference,
});

@Injectable()
export class EngagementsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly access: AccessService,
    private readonly content: ContentService,
    private readonly audit: AuditService,
    private readonly organizations: OrganizationsService,
    private readonly issuance: IssuanceService,
  ) {}

  /**
   * A new engagement of the caller's municipality with an existing prime
   * contractor. Naming the prime grants the town nothing over it (src/access).
   * @throws DomainError `engagement.ends_before_start` / `engagement.unknown_modules` (400), `organization.not_found` (404, no such prime),
   *   `engagement.contract_number_taken` (409)
   */
  async create(user: AuthUser, dto: CreateEngagementDto) {
    return this.createEngagement(user, dto, dto.primeContractorId);
  }

  /**
   * The town's new-engagement form with a new prime contractor: the
   * organization and the engagement in one transaction, so a refusal (a
   * taken corporate number or contract number) leaves nothing behind.
   * @throws as `create`, and DomainError `organization.corporate_number_taken` (409)
   */
  async createWithNewPrime(user: AuthUser, dto: Omit<CreateEngagementDto, 'primeContractorId'>, prime: CreateOrganizationDto) {
    return this.createEngagement(user, dto, prime);
  }

  private async createEngagement(
    user: AuthUser,
    dto: Omit<CreateEngagementDto, 'primeContractorId'>,
    prime: string | CreateOrganizationDto,
  ) {
    await this.access.require(user, 'engagement.create', null);
    if (dto.endsOn < dto.startsOn) throw new DomainError('engagement.ends_before_start', {}, 'endsOn');
    const extras = [...new Set(dto.extraModuleIds ?? [])];
    const unknown = extras.filter((id) => !this.content.has(id));
    if (unknown.length) throw new DomainError('engagement.unknown_modules', { modules: unknown.join(', ') }, 'extraModuleIds');
    const engagement: Engagement = {
      id: randomUUID(),
      municipalityId: user.municipalityId!,
      title: dto.title.trim(),
      contractNumber: dto.contractNumber.trim(),
      primeOrganizationId: typeof prime === 'string' ? prime : '',
      startsOn: dto.startsOn,
      endsOn: dto.endsOn,
      handlesPersonalInfo: dto.handlesPersonalInfo,
      handlesMyNumber: dto.handlesMyNumber,
      usesCloudStorage: dto.usesCloudStorage,
      extraModuleIds: extras,
      curriculum: this.content.curriculum(dto, extras),
      passMark: dto.passMark ?? null,
      certificateValidityDays: dto.certificateValidityDays ?? 365,
      createdAt: new Date(),
      reminderDays: reminderSchedule(dto.reminderDays ?? DEFAULT_REMINDER_DAYS),
    };
    await this.tx.run(async (m) => {
      if (typeof prime === 'string') {
        if (!(await m.existsBy(Organization, { id: prime }))) throw new DomainError('organization.not_found', {}, 'primeContractorId');
      } else engagement.primeOrganizationId = (await this.organizations.insert(m, user, prime)).id;
      if (await m.existsBy(Engagement, { municipalityId: engagement.municipalityId, contractNumber: engagement.contractNumber }))
        throw new DomainError('engagement.contract_number_taken', {}, 'contractNumber');
      await m.insert(Engagement, engagement);
      await this.audit.record(m, {
        action: 'engagement.created',
        actor: user,
        targetType: 'engagement',
        targetId: engagement.id,
        engagementId: engagement.id,
        details: { primeOrganizationId: engagement.primeOrganizationId },
      });
    });
    return engagementView(engagement);
  }

  async list(user: AuthUser, limit: number, cursor?: string): Promise<Page<ReturnType<typeof engagementView>>> {
    const after = decodeCursor(cursor);
    const qb = this.db.getRepository(Engagement).createQueryBuilder('e');
    this.access.scopeEngagements(qb, user);
    if (after) qb.andWhere('(e.starts_on > :k OR (e.starts_on = :k AND e.id > :i))', { k: after[0], i: after[1] });
    const rows = await qb
      .orderBy('e.starts_on', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .take(limit + 1)
      .getMany();
    return toPage(rows, limit, (e) => [e.startsOn, e.id], engagementView);
  }

  async get(user: AuthUser, id: string) {
    return engagementView(await this.access.engagement(user, id));
  }

  /**
   * The town sets the days before the start on which unfinished workers are
   * reminded by e-mail ([] for none): the one opt-out of mandatory training
   * mail, per engagement (docs/mail.md).
   * @throws DomainError `engagement.not_found` (404), `access.forbidden` (403: not town staff)
   */
  async setReminderDays(user: AuthUser, id: string, days: number[]) {
    const engagement = await this.access.engagement(user, id, 'engagement.reminders.configure');
    const reminderDays = reminderSchedule(days);
    await this.tx.run(async (m) => {
      await m.update(Engagement, { id }, { reminderDays });
      await this.audit.record(m, {
        action: 'engagement.reminders_configured',
        actor: user,
        targetType: 'engagement',
        targetId: id,
        engagementId: id,
        details: { reminderDays },
      });
    });
    return engagementView({ ...engagement, reminderDays });
  }

  /**
   * Article 5: a subcontractor of any tier, added by the manager of its parent
   * (or by town staff), waits for the town's written approval. Naming an
   * organization grants nothing over it (src/access).
   * @throws DomainError `engagement.not_found` / `organization.not_found` (404); `subcontractor.parent_not_on_engagement`,
   *   `subcontractor.parent_refused`, `subcontractor.already_on_engagement` (409) for a conflict in the tree
   */
  async addSubcontractor(user: AuthUser, engagementId: string, dto: AddSubcontractorDto) {
    const engagement = await this.access.engagement(user, engagementId);
    await this.access.require(user, 'engagement.subcontractors.add', { engagement, parentOrganizationId: dto.parentOrganizationId });
    return this.tx.run(async (m) => {
      const org = await m.findOne(Organization, { select: { id: true, name: true }, where: { id: dto.organizationId } });
      if (!org) throw new DomainError('organization.not_found', {}, 'organizationId');
      return this.insertLink(m, user, engagement, dto, org.name);
    });
  }

  /**
   * The manager's "new company as subcontractor" form: the organization and
   * its link below `parentOrganizationId` in one transaction, so a refusal
   * (a taken corporate number, a conflict in the tree) leaves nothing behind.
   * @throws as `addSubcontractor`, and DomainError `organization.corporate_number_taken` (409)
   */
  async addNewSubcontractor(user: AuthUser, engagementId: string, parentOrganizationId: string, organization: CreateOrganizationDto) {
    const engagement = await this.access.engagement(user, engagementId);
    await this.access.require(user, 'engagement.subcontractors.add', { engagement, parentOrganizationId });
    return this.tx.run(async (m) => {
      const org = await this.organizations.insert(m, user, organization);
      return this.insertLink(m, user, engagement, { organizationId: org.id, parentOrganizationId }, org.name);
    });
  }

  private async insertLink(m: EntityManager, user: AuthUser, engagement: Engagement, dto: AddSubcontractorDto, organizationName: string) {
    const engagementId = engagement.id;
    const links = await m.findBy(SubcontractLink, { engagementId });
    const parentTier =
      dto.parentOrganizationId === engagement.primeOrganizationId
        ? 0
        : links.find((l) => l.organizationId === dto.parentOrganizationId)?.tier;
    const parent = links.find((l) => l.organizationId === dto.parentOrganizationId);
    if (parentTier === undefined) throw new DomainError('subcontractor.parent_not_on_engagement');
    if (parent?.status === 'rejected') throw new DomainError('subcontractor.parent_refused');
    // Each organization stands once in the tree: this refuses duplicates and every cycle.
    if (dto.organizationId === engagement.primeOrganizationId || links.some((l) => l.organizationId === dto.organizationId))
      throw new DomainError('subcontractor.already_on_engagement');
    const link: SubcontractLink = {
      id: randomUUID(),
      engagementId,
      organizationId: dto.organizationId,
      parentOrganizationId: dto.parentOrganizationId,
      tier: parentTier + 1,
      status: 'pending_approval',
      decidedOn: null,
      reference: null,
      decidedBy: null,
      createdAt: new Date(),
    };
    await m.insert(SubcontractLink, link);
    await this.audit.record(m, {
      action: 'subcontractor.added',
      actor: user,
      targetType: 'subcontract_link',
      targetId: link.id,
      engagementId,
      details: { organizationId: link.organizationId, parentOrganizationId: link.parentOrganizationId, tier: link.tier },
    });
    return linkView(link, organizationName);
  }

  /**
   * The subcontractors of an engagement the caller may see, with their names,
   * in tree order (tier, then when added).
   * @throws DomainError `engagement.not_found` (404), `access.forbidden` (403, workers)
   */
  async listSubcontractors(user: AuthUser, engagementId: string) {
    const engagement = await this.access.engagement(user, engagementId, 'engagement.subcontractors.read');
    const [seen] = await this.withSubcontractors(user, [engagement]);
    return { items: seen.subcontractors.map(({ parentName: _, ...link }) => link), nextCursor: null };
  }

  /**
   * One engagement as its pages show it: the engagement, its prime
   * contractor's name and the subcontractors the caller may see, with names.
   * @throws DomainError `engagement.not_found` (404), `access.forbidden` (403, workers)
   */
  async detail(user: AuthUser, engagementId: string) {
    const engagement = await this.access.engagement(user, engagementId, 'engagement.subcontractors.read');
    const [seen] = await this.withSubcontractors(user, [engagement]);
    return seen;
  }

  /**
   * The caller's engagements (up to `limit`, by start date) as their home
   * pages show them, each with its prime contractor's name and the
   * subcontractors the caller may see; and the caller's own municipality or
   * organization by name. A fixed number of statements whatever the number
   * of engagements (no read per engagement).
   * @throws DomainError `access.forbidden` (403) for workers
   */
  async overview(user: AuthUser, limit = 500) {
    const qb = this.db.getRepository(Engagement).createQueryBuilder('e');
    this.access.scopeEngagements(qb, user);
    const engagements = await qb.orderBy('e.starts_on', 'ASC').addOrderBy('e.id', 'ASC').take(limit).getMany();
    const [municipality, organization] = await Promise.all([
      user.municipalityId ? this.db.getRepository(Municipality).findOneBy({ id: user.municipalityId }) : null,
      user.organizationId ? this.db.getRepository(Organization).findOneBy({ id: user.organizationId }) : null,
    ]);
    return {
      municipality: municipality ? { id: municipality.id, name: municipality.name, code: municipality.code } : null,
      organization: organization ? { id: organization.id, name: organization.name } : null,
      engagements: await this.withSubcontractors(user, engagements),
    };
  }

  /**
   * Engagements the caller sees, with their prime contractor's name and the
   * subcontract links the caller may see (AccessService.subcontractViews):
   * two statements for any number of engagements.
   */
  private async withSubcontractors(user: AuthUser, engagements: Engagement[]) {
    const ids = engagements.map((e) => e.id);
    const primes = [...new Set(engagements.map((e) => e.primeOrganizationId))];
    const [links, primeRows] = ids.length
      ? await Promise.all([
          this.db
            .getRepository(SubcontractLink)
            .createQueryBuilder('l')
            .innerJoin(Organization, 'o', 'o.id = l.organization_id')
            .addSelect('o.name', 'o_name')
            .where('l.engagement_id IN (:...ids)', { ids })
            .orderBy('l.tier', 'ASC')
            .addOrderBy('l.created_at', 'ASC')
            .getRawAndEntities(),
          this.db.getRepository(Organization).find({ select: { id: true, name: true }, where: { id: In(primes) } }),
        ])
      : [{ entities: [] as SubcontractLink[], raw: [] as { o_name: string }[] }, [] as Organization[]];
    const names = new Map(links.entities.map((l, i) => [l.organizationId, links.raw[i].o_name as string]));
    for (const o of primeRows) names.set(o.id, o.name);
    const views = this.access.subcontractViews(user, engagements, links.entities);
    return engagements.map((e) => {
      const { visible } = views.get(e.id)!;
      return {
        engagement: engagementView(e),
        primeName: names.get(e.primeOrganizationId) ?? '',
        subcontractors: links.entities
          .filter((l) => l.engagementId === e.id && visible.has(l.organizationId))
          .map((l) => ({ ...linkView(l, names.get(l.organizationId) ?? ''), parentName: names.get(l.parentOrganizationId) ?? '' })),
      };
    });
  }

  /**
   * Only the town decides, once, with the date and reference of its written decision.
   * The decision is a conditional update from `pending_approval`, so of two decisions at once
   * (two instances, two tabs) exactly one lands and the other gets 409 `subcontractor.already_decided`.
   * @throws DomainError `engagement.not_found` / `subcontractor.not_found` (404), `subcontractor.already_decided` (409)
   */
  async decide(user: AuthUser, engagementId: string, organizationId: string, dto: ApprovalDto) {
    await this.access.engagement(user, engagementId, 'engagement.subcontractors.decide');
    return this.tx.run(async (m) => {
      const link = await m.findOneBy(SubcontractLink, { engagementId, organizationId });
      const org = await m.findOne(Organization, { select: { id: true, name: true }, where: { id: organizationId } });
      if (!link) throw new DomainError('subcontractor.not_found');
      if (link.status !== 'pending_approval') throw new DomainError('subcontractor.already_decided', { status: link.status });
      link.status = dto.approved ? 'approved' : 'rejected';
      link.decidedOn = dto.decidedOn;
      link.reference = dto.reference.trim();
      link.decidedBy = user.id;
      const decided = await conditionalUpdate(
        m,
        SubcontractLink,
        { id: link.id, status: 'pending_approval' },
        { status: link.status, decidedOn: link.decidedOn, reference: link.reference, decidedBy: user.id },
      );
      if (!decided) throw new DomainError('subcontractor.already_decided');
      await this.audit.record(m, {
        action: dto.approved ? 'subcontractor.approved' : 'subcontractor.rejected',
        actor: user,
        targetType: 'subcontract_link',
        targetId: link.id,
        engagementId,
        details: { organizationId, decidedOn: link.decidedOn },
      });
      // Certificates held back for the approved chain's workers are issued now, in this transaction.
      if (dto.approved) await this.issuance.afterApproval(m, engagementId);
      return linkView(link, org?.name ?? '');
    });
  }
}
