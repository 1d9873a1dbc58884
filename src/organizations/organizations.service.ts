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
