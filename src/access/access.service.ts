import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, In, SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../auth/auth-user';
import { Engagement } from '../engagements/engagement.entity';
import { SubcontractLink } from '../engagements/subcontract-link.entity';
import { Organization } from '../organizations/organization.entity';
import { SubcontractTree } from './subcontract-tree';

/**
 * Who may see what: the one place for the visibility rules of DESIGN.md.
 * - town staff: their municipality's engagements and everything on them;
 * - an org manager: engagements their organization is on, and there only the
 *   subtree below their organization (never siblings, never the parents' other work);
 * - a worker: the engagements they are assigned to, and themselves;
 * - admin: everything.
 * What a caller may not see is reported as 404, never 403.
 */
@Injectable()
export class AccessService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Narrows a query over engagements (alias `e`) to those the user may see. */
  scopeEngagements<T extends object>(qb: SelectQueryBuilder<T>, user: AuthUser, e = 'e'): SelectQueryBuilder<T> {
    switch (user.role) {
      case 'admin':
        return qb;
      case 'town_staff':
        return qb.andWhere(`${e}.municipality_id = :scopeMunicipality`, { scopeMunicipality: user.municipalityId });
      case 'org_manager':
        return qb.andWhere(
          new Brackets((w) =>
            w
              .where(`${e}.prime_organization_id = :scopeOrg`, { scopeOrg: user.organizationId })
              .orWhere(`EXISTS (SELECT 1 FROM subcontract_links sl WHERE sl.engagement_id = ${e}.id AND sl.organization_id = :scopeOrg)`),
          ),
        );
      case 'worker':
        return qb.andWhere(`EXISTS (SELECT 1 FROM assignments sa WHERE sa.engagement_id = ${e}.id AND sa.worker_id = :scopeWorker)`, {
          scopeWorker: user.workerId,
        });
    }
  }

  /** The engagement, if the user may see it; 404 otherwise. */
  async engagement(user: AuthUser, id: string): Promise<Engagement> {
    const qb = this.db.getRepository(Engagement).createQueryBuilder('e').where('e.id = :id', { id });
    const found = await this.scopeEngagements(qb, user).getOne();
    if (!found) throw new NotFoundException('Engagement not found');
    return found;
  }

  async tree(engagement: Pick<Engagement, 'id' | 'primeOrganizationId'>): Promise<SubcontractTree> {
    const links = await this.db.getRepository(SubcontractLink).find({ where: { engagementId: engagement.id } });
    return new SubcontractTree(engagement.primeOrganizationId, links);
  }

  /** The organizations of an engagement's tree the user may see. */
  visibleOrganizations(user: AuthUser, tree: SubcontractTree): string[] {
    if (user.role === 'admin' || user.role === 'town_staff') return tree.all();
    if (user.role === 'org_manager') return tree.subtree(user.organizationId!);
    return tree.has(user.organizationId ?? '') ? [user.organizationId!] : [];
  }

  /**
   * May the user see this organization (or, with `workers`, its workers)?
   * Their own; one in their part of an engagement they can see; and, for the
   * organization record only, one their side registered and has not yet put on an engagement.
   */
  async canSeeOrganization(user: AuthUser, orgId: string, what: 'organization' | 'workers'): Promise<boolean> {
    if (user.role === 'admin') return true;
    if (user.role === 'worker') return what === 'organization' && user.organizationId === orgId;
    if (user.role === 'org_manager' && user.organizationId === orgId) return true;
    if (what === 'organization') {
      const org = await this.db.getRepository(Organization).findOneBy({ id: orgId });
      if (!org) return false;
      if (user.role === 'org_manager' && org.createdByOrganizationId === user.organizationId) return true;
      if (user.role === 'town_staff' && org.createdByMunicipalityId === user.municipalityId) return true;
    }
    if (user.role === 'town_staff') {
      const hit = await this.db
        .getRepository(Engagement)
        .createQueryBuilder('e')
        .where('e.municipality_id = :m', { m: user.municipalityId })
        .andWhere(
          new Brackets((w) =>
            w
              .where('e.prime_organization_id = :o', { o: orgId })
              .orWhere('EXISTS (SELECT 1 FROM subcontract_links l WHERE l.engagement_id = e.id AND l.organization_id = :o)'),
          ),
        )
        .getExists();
      return hit;
    }
    // org_manager: below their organization in some engagement they share.
    const links = await this.db.getRepository(SubcontractLink).find({ where: { organizationId: orgId } });
    if (!links.length) return false;
    const engagements = await this.db.getRepository(Engagement).find({ where: { id: In(links.map((l) => l.engagementId)) } });
    for (const e of engagements) {
      const tree = await this.tree(e);
      if (tree.has(user.organizationId!) && tree.isAtOrAbove(user.organizationId!, orgId)) return true;
    }
    return false;
  }

  async organization(user: AuthUser, orgId: string, what: 'organization' | 'workers' = 'organization'): Promise<Organization> {
    const org = await this.db.getRepository(Organization).findOneBy({ id: orgId });
    if (!org || !(await this.canSeeOrganization(user, orgId, what))) throw new NotFoundException('Organization not found');
    return org;
  }
}
