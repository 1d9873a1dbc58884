import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import { fieldError } from '../common/http/errors';
import { decodeCursor, Page, toPage } from '../common/pagination/pagination';
import { ContentService } from '../content/content.service';
import { conditionalUpdate } from '../database/conditional-update';
import { TransactionService } from '../database/transaction.service';
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

/** Listeners told when a subcontract link is approved (certificates held for it are issued then). */
export type ApprovalListener = (m: EntityManager, engagementId: string, organizationId: string) => Promise<void>;

@Injectable()
export class EngagementsService {
  private readonly approvalListeners: ApprovalListener[] = [];

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly access: AccessService,
    private readonly content: ContentService,
    private readonly audit: AuditService,
    private readonly organizations: OrganizationsService,
  ) {}

  onApproval(listener: ApprovalListener): void {
    this.approvalListeners.push(listener);
  }

  /**
   * A new engagement of the caller's municipality with an existing prime
   * contractor. Naming the prime grants the town nothing over it (src/access).
   * @throws 400 naming `endsOn` or `extraModuleIds`; DomainError `organization.not_found` (404, no such prime),
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
    if (dto.endsOn < dto.startsOn) throw fieldError('endsOn', 'must not be before startsOn');
    const extras = [...new Set(dto.extraModuleIds ?? [])];
    const unknown = extras.filter((id) => !this.content.has(id));
    if (unknown.length) throw fieldError('extraModuleIds', `contains unknown modules: ${unknown.join(', ')}`);
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
   * @throws DomainError `engagement.not_found` / `organization.not_found` (404), 409 for a conflict in the tree
   */
  async addSubcontractor(user: AuthUser, engagementId: string, dto: AddSubcontractorDto) {
    const engagement = await this.access.engagement(user, engagementId);
    await this.access.require(user, 'engagement.subcontractors.add', { engagement, parentOrganizationId: dto.parentOrganizationId });
    return this.tx.run(async (m) => {
      if (!(await m.existsBy(Organization, { id: dto.organizationId })))
        throw new DomainError('organization.not_found', {}, 'organizationId');
      return this.insertLink(m, user, engagement, dto);
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
      return this.insertLink(m, user, engagement, { organizationId: org.id, parentOrganizationId });
    });
  }

  private async insertLink(m: EntityManager, user: AuthUser, engagement: Engagement, dto: AddSubcontractorDto) {
    const engagementId = engagement.id;
    const links = await m.findBy(SubcontractLink, { engagementId });
    const parentTier =
      dto.parentOrganizationId === engagement.primeOrganizationId
        ? 0
        : links.find((l) => l.organizationId === dto.parentOrganizationId)?.tier;
    const parent = links.find((l) => l.organizationId === dto.parentOrganizationId);
    if (parentTier === undefined) throw new ConflictException('The parent organization is not on this engagement');
    if (parent?.status === 'rejected') throw new ConflictException('The parent organization was refused for this engagement');
    // Each organization stands once in the tree: this refuses duplicates and every cycle.
    if (dto.organizationId === engagement.primeOrganizationId || links.some((l) => l.organizationId === dto.organizationId))
      throw new ConflictException('The organization is already on this engagement');
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
    return linkView(link);
  }

  async listSubcontractors(user: AuthUser, engagementId: string) {
    const engagement = await this.access.engagement(user, engagementId, 'engagement.subcontractors.read');
    const tree = await this.access.tree(engagement);
    const visible = new Set(this.access.trackingScope(user, tree).organizations);
    const links = await this.db
      .getRepository(SubcontractLink)
      .createQueryBuilder('l')
      .innerJoin(Organization, 'o', 'o.id = l.organization_id')
      .addSelect('o.name', 'o_name')
      .where('l.engagement_id = :engagementId', { engagementId })
      .orderBy('l.tier', 'ASC')
      .addOrderBy('l.created_at', 'ASC')
      .getRawAndEntities();
    return {
      items: links.entities
        .map((l, i) => ({ l, name: links.raw[i].o_name as string }))
        .filter(({ l }) => visible.has(l.organizationId))
        .map(({ l, name }) => linkView(l, name)),
      nextCursor: null,
    };
  }

  /**
   * Only the town decides, once, with the date and reference of its written decision.
   * The decision is a conditional update from `pending_approval`, so of two decisions at once
   * (two instances, two tabs) exactly one lands and the other gets 409 `subcontractor.already_decided`.
   */
  async decide(user: AuthUser, engagementId: string, organizationId: string, dto: ApprovalDto) {
    await this.access.engagement(user, engagementId, 'engagement.subcontractors.decide');
    return this.tx.run(async (m) => {
      const link = await m.findOneBy(SubcontractLink, { engagementId, organizationId });
      if (!link) throw new NotFoundException('Subcontractor not found on this engagement');
      if (link.status !== 'pending_approval')
        throw new ConflictException(`The subcontractor was already ${link.status === 'approved' ? 'approved' : 'rejected'}`);
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
      if (dto.approved) for (const listener of this.approvalListeners) await listener(m, engagementId, organizationId);
      return linkView(link);
    });
  }
}
