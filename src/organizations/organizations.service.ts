import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { AuthUser } from '../auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import { TransactionService } from '../database/transaction.service';
import { CreateOrganizationDto } from './dto/create-organization.dto';
import { Organization } from './organization.entity';
import { AccountLinksService } from '../auth/account-links.service';
import { Municipality } from '../municipalities/municipality.entity';
import { User } from '../users/user.entity';
import { InviteManagerDto } from './dto/invite-manager.dto';

export const organizationView = (o: Organization) => ({ id: o.id, name: o.name, corporateNumber: o.corporateNumber });

/** Registering organizations, shared by the API and the pages. */
@Injectable()
export class OrganizationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly access: AccessService,
    private readonly links: AccountLinksService,
  ) {}

  /** @throws DomainError `organization.corporate_number_taken` (409) */
  create(user: AuthUser, dto: CreateOrganizationDto) {
    return this.tx.run(async (m) => organizationView(await this.insert(m, user, dto)));
  }

  /**
   * Registers an organization inside the caller's transaction (a use case
   * that also names it prime or subcontractor commits or fails as one). The
   * caller's side is recorded as its registrar (AccessService.registrarOf).
   * With `contactEmail`, that address is invited by e-mail to become its
   * first manager, in the same transaction (AccountLinksService.inviteManager).
   * @throws DomainError `organization.corporate_number_taken` (409, field `corporateNumber`)
   */
  async insert(m: EntityManager, user: AuthUser, dto: CreateOrganizationDto): Promise<Organization> {
    if (dto.corporateNumber && (await m.existsBy(Organization, { corporateNumber: dto.corporateNumber })))
      throw new DomainError('organization.corporate_number_taken', {}, 'corporateNumber');
    const org: Organization = {
      id: randomUUID(),
      name: dto.name.trim(),
      corporateNumber: dto.corporateNumber ?? null,
      ...this.access.registrarOf(user),
      createdAt: new Date(),
    };
    await m.insert(Organization, org);
    if (dto.contactEmail) await this.links.inviteManager(m, org, dto.contactEmail, await this.registrarName(m, user), user);
    return org;
  }

  /**
   * Invites the first manager of an organization that has none yet (`organization.managers.create`: whoever
   * controls it, that is its registrar while it has no manager, or the admin) by e-mail: the invitation of
   * AccountLinksService (a one-time code, MANAGER_INVITATION_DAYS), greeting the invitee by `name`. An
   * earlier invitation not accepted yet stops working (a mistyped address is corrected by inviting again).
   * @throws DomainError `organization.not_found` (404: unknown, or not controlled by the caller),
   *   `organization.has_manager` (409: it has a manager, who adds colleagues themselves)
   */
  async inviteManager(user: AuthUser, orgId: string, dto: InviteManagerDto): Promise<{ organizationId: string; expiresAt: string }> {
    await this.access.require(user, 'organization.managers.create', orgId);
    return this.tx.run(async (m) => {
      const org = await m.findOneByOrFail(Organization, { id: orgId });
      if (await m.existsBy(User, { organizationId: orgId, role: 'org_manager' })) throw new DomainError('organization.has_manager');
      await this.links.cancelManagerInvitations(m, orgId);
      const { expiresAt } = await this.links.inviteManager(m, org, dto.email, await this.registrarName(m, user), user, dto.name.trim());
      return { organizationId: orgId, expiresAt: expiresAt.toISOString() };
    });
  }

  /**
   * What the "invite this company's manager" page shows (`organization.managers.create`): the
   * organization's name, whether it has a manager by now, and the expiry of an invitation still open.
   * @throws DomainError `organization.not_found` (404: unknown, or not controlled by the caller)
   */
  async managerInvitationState(
    user: AuthUser,
    orgId: string,
  ): Promise<{ id: string; name: string; hasManager: boolean; invitedUntil: string | null }> {
    await this.access.require(user, 'organization.managers.create', orgId);
    const org = await this.db.getRepository(Organization).findOneByOrFail({ id: orgId });
    const hasManager = await this.db.getRepository(User).existsBy({ organizationId: orgId, role: 'org_manager' });
    const open = hasManager ? undefined : (await this.links.openManagerInvitations([orgId])).get(orgId);
    return { id: org.id, name: org.name, hasManager, invitedUntil: open?.toISOString() ?? null };
  }

  /**
   * The next step of the given organizations that still have no manager, for the pages that list them
   * (the town's engagement page, a parent's subcontractors): those the caller may invite a manager for
   * (`organization.managers.create`), each with the expiry of the invitation already open, if any.
   * Organizations with a manager, or that the caller does not control, are left out.
   */
  async awaitingManager(user: AuthUser, orgIds: readonly string[]): Promise<Map<string, { invitedUntil: string | null }>> {
    const ids = [...new Set(orgIds)];
    const out = new Map<string, { invitedUntil: string | null }>();
    if (!ids.length) return out;
    const managed = await this.db
      .getRepository(User)
      .createQueryBuilder('u')
      .select('DISTINCT u.organization_id', 'organizationId')
      .where('u.organization_id IN (:...ids) AND u.role = :role', { ids, role: 'org_manager' })
      .getRawMany<{ organizationId: string }>();
    const withManager = new Set(managed.map((r) => r.organizationId));
    const candidates: string[] = [];
    for (const id of ids)
      if (!withManager.has(id) && (await this.access.can(user, 'organization.managers.create', id))) candidates.push(id);
    const open = await this.links.openManagerInvitations(candidates);
    for (const id of candidates) out.set(id, { invitedUntil: open.get(id)?.toISOString() ?? null });
    return out;
  }

  /** Who registered, as the invitation names them: the caller's municipality or organization. */
  private async registrarName(m: EntityManager, user: AuthUser): Promise<string> {
    if (user.role === 'town_staff' && user.municipalityId)
      return (await m.findOneBy(Municipality, { id: user.municipalityId }))?.name ?? '';
    if (user.organizationId) return (await m.findOneBy(Organization, { id: user.organizationId }))?.name ?? '';
    return 'article4-lms';
  }

  /**
   * Organizations a town staff member or manager can pick from a list (a
   * prime contractor, a subcontractor); AccessService decides which.
   */
  async pickable(user: AuthUser): Promise<ReturnType<typeof organizationView>[]> {
    const qb = this.db.getRepository(Organization).createQueryBuilder('o');
    this.access.scopePickableOrganizations(qb, user);
    return (await qb.orderBy('o.name', 'ASC').take(1000).getMany()).map(organizationView);
  }

  /** Names of the given organizations the user may see (others are left out). */
  async names(user: AuthUser, ids: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    if (!unique.length) return new Map();
    const orgs = await this.db.getRepository(Organization).findBy({ id: In(unique) });
    const out = new Map<string, string>();
    for (const o of orgs) if (await this.access.can(user, 'organization.read', o.id)) out.set(o.id, o.name);
    return out;
  }
}
