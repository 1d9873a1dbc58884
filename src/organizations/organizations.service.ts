import { ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Brackets, DataSource, In } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { AuthUser } from '../auth/auth-user';
import { TransactionService } from '../database/transaction.service';
import { CreateOrganizationDto } from './dto/create-organization.dto';
import { Organization } from './organization.entity';

export const organizationView = (o: Organization) => ({ id: o.id, name: o.name, corporateNumber: o.corporateNumber });

/** Registering organizations, shared by the API and the pages. */
@Injectable()
export class OrganizationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly access: AccessService,
  ) {}

  create(user: AuthUser, dto: CreateOrganizationDto) {
    return this.tx.run(async (m) => {
      if (dto.corporateNumber && (await m.existsBy(Organization, { corporateNumber: dto.corporateNumber })))
        throw new ConflictException('An organization with this corporate number exists');
      const org: Organization = {
        id: randomUUID(),
        name: dto.name.trim(),
        corporateNumber: dto.corporateNumber ?? null,
        createdByOrganizationId: user.role === 'org_manager' ? user.organizationId : null,
        createdByMunicipalityId: user.role === 'town_staff' ? user.municipalityId : null,
        createdAt: new Date(),
      };
      await m.insert(Organization, org);
      return organizationView(org);
    });
  }

  /**
   * Organizations a town staff member or manager can pick from a list (a
   * prime contractor, a subcontractor): the ones their side registered or
   * that are on their engagements. Candidates are filtered through
   * AccessService, which stays the one place that decides visibility.
   */
  async pickable(user: AuthUser): Promise<ReturnType<typeof organizationView>[]> {
    const qb = this.db.getRepository(Organization).createQueryBuilder('o');
    if (user.role === 'town_staff') {
      qb.where(
        new Brackets((w) =>
          w
            .where('o.created_by_municipality_id = :m', { m: user.municipalityId })
            .orWhere('EXISTS (SELECT 1 FROM engagements e WHERE e.prime_organization_id = o.id AND e.municipality_id = :m)', {
              m: user.municipalityId,
            })
            .orWhere(
              'EXISTS (SELECT 1 FROM subcontract_links l INNER JOIN engagements e ON e.id = l.engagement_id WHERE l.organization_id = o.id AND e.municipality_id = :m)',
              { m: user.municipalityId },
            ),
        ),
      );
    } else if (user.role === 'org_manager') {
      qb.where('o.created_by_organization_id = :o', { o: user.organizationId });
    } else if (user.role !== 'admin') {
      return [];
    }
    const candidates = await qb.orderBy('o.name', 'ASC').take(1000).getMany();
    const out: Organization[] = [];
    for (const o of candidates) if (await this.access.canSeeOrganization(user, o.id, 'organization')) out.push(o);
    return out.map(organizationView);
  }

  /** Names of the given organizations the user may see (others are left out). */
  async names(user: AuthUser, ids: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    if (!unique.length) return new Map();
    const orgs = await this.db.getRepository(Organization).findBy({ id: In(unique) });
    const out = new Map<string, string>();
    for (const o of orgs) if (await this.access.canSeeOrganization(user, o.id, 'organization')) out.set(o.id, o.name);
    return out;
  }
}
