import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, In, SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import type { ErrorCode } from '../common/errors/error-codes';
import { Engagement } from '../engagements/engagement.entity';
import { SubcontractLink } from '../engagements/subcontract-link.entity';
import { Municipality } from '../municipalities/municipality.entity';
import { Organization } from '../organizations/organization.entity';
import { User, type Role } from '../users/user.entity';
import { Assignment } from '../workers/assignment.entity';
import { Worker } from '../workers/worker.entity';
import { SubcontractTree } from './subcontract-tree';

/**
 * Every permission the service knows, by name. Each is decided by exactly
 * one function below (`DECISIONS`); services call `require`/`can` with the
 * name, for the API and the pages alike. The table of who holds which is in
 * docs/accounts-and-access.md and, executable, in access.service.spec.ts.
 */
export const PERMISSIONS = [
  'organization.read',
  'organization.workers.read',
  'organization.workers.create',
  'organization.codes.issue',
  'organization.managers.create',
  'municipality.staff.create',
  'user.admin.create',
  'user.exists.read',
  'engagement.create',
  'engagement.read',
  'engagement.subcontractors.read',
  'engagement.subcontractors.add',
  'engagement.subcontractors.decide',
  'engagement.assignments.create',
  'engagement.assignments.delete',
  'engagement.progress.read',
  'engagement.readiness.read',
  'engagement.report.read',
  'certificate.holder.read',
  'certificate.revoke',
  'certificate.reinstate',
  'audit.read',
  'audit.search',
  'content.item_analysis.read',
  'user.content_author.create',
  'engagement.reminders.send',
  'engagement.reminders.configure',
  'engagement.close_out',
  'mail.outbox.read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * allow; `not_found`: the caller may not see the thing (answered 404, the
 * same as for a thing that does not exist); `forbidden`: the caller's role
 * may never do this (answered 403).
 */
export type Verdict = 'allow' | 'not_found' | 'forbidden';

/** An engagement by id, or the row when the caller already has it. */
export type EngagementRef = string | Pick<Engagement, 'id' | 'municipalityId' | 'primeOrganizationId'>;

/** The certificate facts that decide who sees its holder's name and e-mail. */
export interface HolderRef {
  workerId: string;
  organizationId: string;
  engagementId: string;
  municipalityId: string;
}

/** What each permission is about. `null`: nothing in particular (creating, or the whole audit trail). */
export interface PermissionTargets {
  'organization.read': string;
  'organization.workers.read': string;
  'organization.workers.create': string;
  'organization.codes.issue': string;
  'organization.managers.create': string;
  'municipality.staff.create': string | null;
  'user.admin.create': null;
  'user.exists.read': null;
  'engagement.create': null;
  'engagement.read': EngagementRef;
  'engagement.subcontractors.read': EngagementRef;
  'engagement.subcontractors.add': { engagement: EngagementRef; parentOrganizationId: string };
  'engagement.subcontractors.decide': EngagementRef;
  'engagement.assignments.create': EngagementRef;
  'engagement.assignments.delete': { engagement: EngagementRef; workerOrganizationId: string };
  'engagement.progress.read': EngagementRef;
  'engagement.readiness.read': EngagementRef;
  'engagement.report.read': EngagementRef;
  'certificate.holder.read': HolderRef;
  'certificate.revoke': EngagementRef;
  'certificate.reinstate': EngagementRef;
  'audit.read': EngagementRef | null;
  'audit.search': null;
  'content.item_analysis.read': null;
  'user.content_author.create': null;
  'engagement.reminders.send': EngagementRef;
  'engagement.reminders.configure': EngagementRef;
  'engagement.close_out': EngagementRef;
  'mail.outbox.read': null;
}

/** The 404 a refusal answers with: the noun the permission is about. */
const NOT_FOUND: Record<Permission, ErrorCode> = {
  'organization.read': 'organization.not_found',
  'organization.workers.read': 'organization.not_found',
  'organization.workers.create': 'organization.not_found',
  'organization.codes.issue': 'organization.not_found',
  'organization.managers.create': 'organization.not_found',
  'municipality.staff.create': 'municipality.not_found',
  'user.admin.create': 'access.forbidden',
  'user.exists.read': 'access.forbidden',
  'engagement.create': 'access.forbidden',
  'engagement.read': 'engagement.not_found',
  'engagement.subcontractors.read': 'engagement.not_found',
  'engagement.subcontractors.add': 'organization.not_found',
  'engagement.subcontractors.decide': 'engagement.not_found',
  'engagement.assignments.create': 'engagement.not_found',
  'engagement.assignments.delete': 'worker.not_found',
  'engagement.progress.read': 'engagement.not_found',
  'engagement.readiness.read': 'engagement.not_found',
  'engagement.report.read': 'engagement.not_found',
  'certificate.holder.read': 'certificate.not_found',
  'certificate.revoke': 'certificate.not_found',
  'certificate.reinstate': 'certificate.not_found',
  'audit.read': 'engagement.not_found',
  'audit.search': 'access.forbidden',
  'content.item_analysis.read': 'access.forbidden',
  'user.content_author.create': 'access.forbidden',
  'engagement.reminders.send': 'engagement.not_found',
  'engagement.reminders.configure': 'engagement.not_found',
  'engagement.close_out': 'engagement.not_found',
  'mail.outbox.read': 'access.forbidden',
};

/**
 * Whose workers a caller may see in one organization: all of them, or only
 * those assigned to some engagements (people are visible through
 * assignment), or none.
 */
export type PeopleScope = { all: true } | { all: false; municipalityId: string } | { all: false; engagementIds: string[] };

/** Which organizations of an engagement's tree a caller sees (names, tier, approval), and whose workers. */
export interface TrackingScope {
  organizations: string[];
  people: ReadonlySet<string>;
}

type Decision<P extends Permission> = (user: AuthUser, target: PermissionTargets[P]) => Promise<Verdict>;

/**
 * Who may do what: the one place for the rules (DESIGN.md, "Access"). The
 * model is immich's `requireAccess`: a permission name, the caller and the
 * target, one decision per permission.
 *
 * - People are visible through assignment. Town staff see a worker while the
 *   worker is assigned to an engagement of their municipality; an ancestor
 *   organization's manager, while the worker is assigned to an engagement on
 *   which every subcontract link between the two is approved. A pending or
 *   refused link, or being named prime, grants nothing.
 * - An organization is controlled (its managers, worker registrations,
 *   enrollment codes) by its own managers, the admin, or, while it has no
 *   manager yet, whoever registered it (town staff of the registering
 *   municipality, managers of the registering organization). Naming an
 *   organization as prime or subcontractor never grants control of it.
 * - Engagements: town staff see their municipality's; a manager those their
 *   organization is on (prime or linked, any status); a worker those they are
 *   assigned to; the admin all.
 * - Content authors see the module catalog and the item analysis, nothing
 *   about people, organizations or engagements (403 for all of it).
 * - What a caller may not see answers 404, the same as what does not exist;
 *   403 only where the caller's role may never do the thing.
 */
@Injectable()
export class AccessService {
  private readonly decisions: { [P in Permission]: Decision<P> } = {
    'organization.read': (u, orgId) => this.readOrganization(u, orgId),
    'organization.workers.read': async (u, orgId) => {
      if (u.role === 'worker' || u.role === 'content_author') return 'forbidden';
      if (!(await this.organizationRow(orgId))) return 'not_found';
      return (await this.peopleScope(u, orgId)) ? 'allow' : 'not_found';
    },
    'organization.workers.create': (u, orgId) => this.control(u, orgId),
    'organization.codes.issue': (u, orgId) => this.control(u, orgId),
    'organization.managers.create': (u, orgId) => this.control(u, orgId),
    'municipality.staff.create': async (u, municipalityId) => {
      if (u.role === 'admin')
        return !municipalityId || (await this.db.getRepository(Municipality).existsBy({ id: municipalityId })) ? 'allow' : 'not_found';
      if (u.role === 'town_staff') return municipalityId === u.municipalityId ? 'allow' : 'not_found';
      return 'forbidden';
    },
    'user.admin.create': async (u) => (u.role === 'admin' ? 'allow' : 'forbidden'),
    // Whether an e-mail address has an account anywhere: the operator only (users.service.ts).
    'user.exists.read': async (u) => (u.role === 'admin' ? 'allow' : 'forbidden'),
    'engagement.create': async (u) => (u.role === 'town_staff' ? 'allow' : 'forbidden'),
    'engagement.read': async (u, ref) => {
      if (u.role === 'content_author') return 'forbidden';
      return (await this.seesEngagement(u, ref)) ? 'allow' : 'not_found';
    },
    'engagement.subcontractors.read': (u, ref) => this.engagementData(u, ref, 'anyone_on_it'),
    'engagement.progress.read': (u, ref) => this.engagementData(u, ref, 'anyone_on_it'),
    'engagement.readiness.read': (u, ref) => this.engagementData(u, ref, 'prime_only'),
    'engagement.report.read': (u, ref) => this.engagementData(u, ref, 'prime_only'),
    'engagement.subcontractors.add': async (u, { engagement, parentOrganizationId }) => {
      if (u.role !== 'town_staff' && u.role !== 'org_manager') return 'forbidden';
      if (!(await this.seesEngagement(u, engagement))) return 'not_found';
      // Managers add below their own organization only; town staff below anyone on the tree.
      return u.role === 'town_staff' || parentOrganizationId === u.organizationId ? 'allow' : 'not_found';
    },
    'engagement.subcontractors.decide': async (u, ref) => {
      if (u.role !== 'town_staff') return 'forbidden';
      return (await this.seesEngagement(u, ref)) ? 'allow' : 'not_found';
    },
    'engagement.assignments.create': async (u, ref) => {
      if (u.role !== 'org_manager') return 'forbidden';
      return (await this.seesEngagement(u, ref)) ? 'allow' : 'not_found';
    },
    // Unassigning: the managers of the worker's own organization, who assign them (only their own workers).
    'engagement.assignments.delete': async (u, { engagement, workerOrganizationId }) => {
      if (u.role !== 'org_manager') return 'forbidden';
      if (!(await this.seesEngagement(u, engagement))) return 'not_found';
      return u.organizationId === workerOrganizationId ? 'allow' : 'not_found';
    },
    'certificate.holder.read': (u, holder) => this.seesHolder(u, holder),
    'certificate.revoke': async (u, ref) => {
      if (u.role !== 'town_staff' && u.role !== 'admin') return 'forbidden';
      return (await this.seesEngagement(u, ref)) ? 'allow' : 'not_found';
    },
    // Lifting a revocation is the same town's decision as making it (docs/certificates.md).
    'certificate.reinstate': (u, ref) => this.decisions['certificate.revoke'](u, ref),
    // The audit page (/town/audit): the admin over the whole trail, town staff over their municipality's
    // engagements (scopeAudit narrows the list); nobody else reads the trail.
    'audit.search': async (u) => (u.role === 'admin' || u.role === 'town_staff' ? 'allow' : 'forbidden'),
    'audit.read': async (u, ref) => {
      if (u.role !== 'town_staff' && u.role !== 'admin') return 'forbidden';
      // Town staff read one engagement's trail at a time, never the whole.
      if (ref === null) return u.role === 'admin' ? 'allow' : 'forbidden';
      return (await this.seesEngagement(u, ref)) ? 'allow' : 'not_found';
    },
    // The item analysis: statistics of questions, never people (docs/item-analysis.md).
    'content.item_analysis.read': async (u) => (u.role === 'admin' || u.role === 'content_author' ? 'allow' : 'forbidden'),
    'user.content_author.create': async (u) => (u.role === 'admin' ? 'allow' : 'forbidden'),
    // Reminders go to the people the caller follows in progress (trackingScope): the town all, a manager their subtree's.
    // The admin is no party to an engagement.
    'engagement.reminders.send': async (u, ref) => {
      if (u.role !== 'town_staff' && u.role !== 'org_manager') return 'forbidden';
      return (await this.seesEngagement(u, ref)) ? 'allow' : 'not_found';
    },
    // The schedule of automatic reminders is the town's, like the engagement itself.
    // Article 7 (return of what was received) and 11: the town that contracted closes the engagement
    // out, exports it, and erases what only it needed; nobody else, not even the admin.
    'engagement.close_out': async (u, ref) => {
      if (u.role !== 'town_staff') return 'forbidden';
      return (await this.seesEngagement(u, ref)) ? 'allow' : 'not_found';
    },
    'engagement.reminders.configure': async (u, ref) => {
      if (u.role !== 'town_staff') return 'forbidden';
      return (await this.seesEngagement(u, ref)) ? 'allow' : 'not_found';
    },
    // The outbox lists every message's subject and (masked) recipient: the operator's.
    'mail.outbox.read': async (u) => (u.role === 'admin' ? 'allow' : 'forbidden'),
  };

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The verdict on one permission. Nobody signed in is refused everything (404). */
  check<P extends Permission>(user: AuthUser | undefined, permission: P, target: PermissionTargets[P]): Promise<Verdict> {
    if (!user) return Promise.resolve('not_found');
    return (this.decisions[permission] as Decision<P>)(user, target);
  }

  async can<P extends Permission>(user: AuthUser | undefined, permission: P, target: PermissionTargets[P]): Promise<boolean> {
    return (await this.check(user, permission, target)) === 'allow';
  }

  /**
   * Throws unless allowed.
   * @throws DomainError `access.forbidden` (403) when the role may never; `<noun>.not_found` (404) when the caller may not see the target
   */
  async require<P extends Permission>(user: AuthUser | undefined, permission: P, target: PermissionTargets[P]): Promise<void> {
    const verdict = await this.check(user, permission, target);
    if (verdict === 'forbidden') throw new DomainError('access.forbidden');
    if (verdict === 'not_found') throw new DomainError(NOT_FOUND[permission]);
  }

  /**
   * The engagement, once `permission` (default `engagement.read`) allows it.
   * @throws DomainError `engagement.not_found` (404) or `access.forbidden` (403)
   */
  async engagement(user: AuthUser, id: string, permission: EngagementPermission = 'engagement.read'): Promise<Engagement> {
    const found = await this.db.getRepository(Engagement).findOneBy({ id });
    if (!found) throw new DomainError('engagement.not_found');
    await this.require(user, permission, found);
    return found;
  }

  /**
   * The organization record (name, corporate number: public registry data,
   * never people) once `organization.read` allows it.
   * @throws DomainError `organization.not_found` (404)
   */
  async organization(user: AuthUser, orgId: string): Promise<Organization> {
    await this.require(user, 'organization.read', orgId);
    return (await this.organizationRow(orgId))!;
  }

  /**
   * The list form of `audit.search`: narrows a query over audit events (alias `a`). The admin reads
   * every event; town staff the events of their municipality's engagements (not sign-ins or other
   * towns' acts); anyone else nothing.
   */
  scopeAudit<T extends object>(qb: SelectQueryBuilder<T>, user: AuthUser, a = 'a'): SelectQueryBuilder<T> {
    if (user.role === 'admin') return qb;
    if (user.role === 'town_staff' && user.municipalityId)
      return qb.andWhere(`${a}.engagement_id IN (SELECT ae.id FROM engagements ae WHERE ae.municipality_id = :auditMunicipality)`, {
        auditMunicipality: user.municipalityId,
      });
    return qb.andWhere('1 = 0');
  }

  /**
   * Of some user accounts, workers and organizations named in the audit trail, those whose names the caller may read
   * there: the admin all; town staff the accounts of their municipality, and the accounts and workers
   * of the organizations on their municipality's engagements (the prime and every subcontractor, whose
   * people they see on progress: trackingScope) and those organizations; anyone else none. Three statements at most.
   */
  async namesInAudit(user: AuthUser, userIds: readonly string[], workerIds: readonly string[], organizationIds: readonly string[] = []) {
    const users = new Map<string, string>();
    const workers = new Map<string, string>();
    const organizations = new Map<string, string>();
    if (user.role !== 'admin' && !(user.role === 'town_staff' && user.municipalityId)) return { users, workers, organizations };
    const orgsOfTown =
      '(SELECT e.prime_organization_id FROM engagements e WHERE e.municipality_id = :m UNION SELECT l.organization_id FROM subcontract_links l JOIN engagements e2 ON e2.id = l.engagement_id WHERE e2.municipality_id = :m)';
    if (userIds.length) {
      const qb = this.db
        .getRepository(User)
        .createQueryBuilder('u')
        .select(['u.id', 'u.displayName'])
        .where('u.id IN (:...ids)', { ids: [...userIds] });
      if (user.role === 'town_staff')
        qb.andWhere(new Brackets((w) => w.where('u.municipality_id = :m').orWhere(`u.organization_id IN ${orgsOfTown}`)), {
          m: user.municipalityId,
        });
      for (const u of await qb.getMany()) users.set(u.id, u.displayName);
    }
    if (workerIds.length) {
      const qb = this.db
        .getRepository(Worker)
        .createQueryBuilder('w')
        .select(['w.id', 'w.name'])
        .where('w.id IN (:...ids)', { ids: [...workerIds] });
      if (user.role === 'town_staff') qb.andWhere(`w.organization_id IN ${orgsOfTown}`, { m: user.municipalityId });
      for (const w of await qb.getMany()) workers.set(w.id, w.name);
    }
    if (organizationIds.length) {
      const qb = this.db
        .getRepository(Organization)
        .createQueryBuilder('o')
        .select(['o.id', 'o.name'])
        .where('o.id IN (:...ids)', { ids: [...organizationIds] });
      if (user.role === 'town_staff') qb.andWhere(`o.id IN ${orgsOfTown}`, { m: user.municipalityId });
      for (const o of await qb.getMany()) organizations.set(o.id, o.name);
    }
    return { users, workers, organizations };
  }

  /** The list form of `engagement.read`: narrows a query over engagements (alias `e`). */
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
      case 'content_author':
        return qb.andWhere('1 = 0');
    }
  }

  /**
   * The list form of `organization.workers.read`: narrows a query over one
   * organization's workers (alias `w`) to those the caller may see.
   * @throws DomainError `organization.not_found` (404) when the caller sees none of them in principle; `access.forbidden` for workers
   */
  async scopeWorkers<T extends object>(qb: SelectQueryBuilder<T>, user: AuthUser, orgId: string, w = 'w'): Promise<SelectQueryBuilder<T>> {
    await this.require(user, 'organization.workers.read', orgId);
    const scope = (await this.peopleScope(user, orgId))!;
    qb.andWhere(`${w}.organization_id = :scopeOrg`, { scopeOrg: orgId });
    if (scope.all) return qb;
    if ('municipalityId' in scope)
      return qb.andWhere(
        `EXISTS (SELECT 1 FROM assignments sa JOIN engagements se ON se.id = sa.engagement_id WHERE sa.worker_id = ${w}.id AND se.municipality_id = :scopeMunicipality)`,
        { scopeMunicipality: scope.municipalityId },
      );
    return qb.andWhere(
      `EXISTS (SELECT 1 FROM assignments sa WHERE sa.worker_id = ${w}.id AND sa.engagement_id IN (:...scopeEngagements))`,
      {
        scopeEngagements: scope.engagementIds,
      },
    );
  }

  /**
   * Organizations a caller may pick from a list (a prime, a subcontractor):
   * town staff those their municipality registered or has on an engagement;
   * a manager those their organization registered; the admin all. Every one
   * of them passes `organization.read`.
   */
  scopePickableOrganizations<T extends object>(qb: SelectQueryBuilder<T>, user: AuthUser, o = 'o'): SelectQueryBuilder<T> {
    switch (user.role) {
      case 'admin':
        return qb;
      case 'town_staff':
        return qb.andWhere(
          new Brackets((w) =>
            w
              .where(`${o}.created_by_municipality_id = :pickM`, { pickM: user.municipalityId })
              .orWhere(`EXISTS (SELECT 1 FROM engagements pe WHERE pe.prime_organization_id = ${o}.id AND pe.municipality_id = :pickM)`)
              .orWhere(
                `EXISTS (SELECT 1 FROM subcontract_links pl INNER JOIN engagements pe ON pe.id = pl.engagement_id WHERE pl.organization_id = ${o}.id AND pe.municipality_id = :pickM)`,
              ),
          ),
        );
      case 'org_manager':
        return qb.andWhere(`${o}.created_by_organization_id = :pickO`, { pickO: user.organizationId });
      case 'worker':
      case 'content_author':
        return qb.andWhere('1 = 0');
    }
  }

  /**
   * On one engagement: the organizations whose rows the caller sees (town
   * staff and the admin the whole tree, a manager the subtree below their
   * organization) and those whose workers they see (a manager: their own
   * and those below it over approved links only).
   */
  trackingScope(user: AuthUser, tree: SubcontractTree): TrackingScope {
    if (user.role === 'admin' || user.role === 'town_staff') {
      const all = tree.all();
      return { organizations: all, people: new Set(all) };
    }
    if (user.role === 'org_manager' && user.organizationId) {
      const own = user.organizationId;
      const organizations = tree.subtree(own);
      return { organizations, people: new Set(organizations.filter((id) => tree.isApprovedBetween(own, id))) };
    }
    return { organizations: [], people: new Set() };
  }

  /**
   * The list form of `engagement.subcontractors.read`, for engagements the
   * caller sees (scopeEngagements: the same set the permission allows to every
   * role but workers) and their links, read once for all of them: per
   * engagement, its tree and the organizations on it the caller may see
   * (trackingScope). The prime of an engagement the caller sees is always
   * readable (`organization.read`: at or above the caller on the tree; town
   * staff: on an engagement of their municipality).
   * @throws DomainError `access.forbidden` (403) for workers, as the permission decides
   */
  subcontractViews(
    user: AuthUser,
    engagements: readonly Pick<Engagement, 'id' | 'primeOrganizationId'>[],
    links: readonly SubcontractLink[],
  ): Map<string, { tree: SubcontractTree; visible: ReadonlySet<string> }> {
    if (user.role === 'worker') throw new DomainError('access.forbidden');
    const byEngagement = new Map<string, SubcontractLink[]>();
    for (const l of links) byEngagement.set(l.engagementId, [...(byEngagement.get(l.engagementId) ?? []), l]);
    return new Map(
      engagements.map((e) => {
        const tree = new SubcontractTree(e.primeOrganizationId, byEngagement.get(e.id) ?? []);
        return [e.id, { tree, visible: new Set(this.trackingScope(user, tree).organizations) }];
      }),
    );
  }

  async tree(engagement: Pick<Engagement, 'id' | 'primeOrganizationId'>): Promise<SubcontractTree> {
    const links = await this.db.getRepository(SubcontractLink).find({ where: { engagementId: engagement.id } });
    return new SubcontractTree(engagement.primeOrganizationId, links);
  }

  /**
   * Who an organization registered by this caller counts as registered by:
   * their municipality (town staff) or their organization (a manager). The
   * registrar controls the organization until it has a manager of its own.
   */
  registrarOf(user: AuthUser): { createdByOrganizationId: string | null; createdByMunicipalityId: string | null } {
    return {
      createdByOrganizationId: user.role === 'org_manager' ? user.organizationId : null,
      createdByMunicipalityId: user.role === 'town_staff' ? user.municipalityId : null,
    };
  }

  /**
   * Where a new account may be bound, or why not. An admin account: the
   * admin only. Town staff: of the caller's own municipality (the admin
   * names any). A manager: of an organization the caller controls
   * (`organization.managers.create`; a manager's own by default). A content
   * author: the admin only (`user.content_author.create`), bound to nothing.
   * @throws DomainError `access.forbidden` (403), `municipality.not_found` / `organization.not_found` (404);
   *   `account.municipality_required` / `account.organization_required` (400) when the admin or town staff leave it out
   */
  async accountBinding(
    actor: AuthUser,
    requested: { role: Exclude<Role, 'worker'>; municipalityId?: string; organizationId?: string },
  ): Promise<{ municipalityId: string | null; organizationId: string | null }> {
    switch (requested.role) {
      case 'admin':
        await this.require(actor, 'user.admin.create', null);
        return { municipalityId: null, organizationId: null };
      case 'town_staff': {
        const municipalityId = requested.municipalityId ?? actor.municipalityId;
        await this.require(actor, 'municipality.staff.create', municipalityId);
        if (!municipalityId) throw new DomainError('account.municipality_required', {}, 'municipalityId');
        return { municipalityId, organizationId: null };
      }
      case 'content_author':
        await this.require(actor, 'user.content_author.create', null);
        return { municipalityId: null, organizationId: null };
      case 'org_manager': {
        const organizationId = requested.organizationId ?? actor.organizationId;
        if (actor.role === 'worker' || actor.role === 'content_author') throw new DomainError('access.forbidden');
        if (!organizationId) throw new DomainError('account.organization_required', {}, 'organizationId');
        await this.require(actor, 'organization.managers.create', organizationId);
        return { municipalityId: null, organizationId };
      }
    }
  }

  /**
   * Whose workers of an organization the caller may see, or null for none:
   * all of them (the admin, its managers, its registrar while it has no
   * manager); those assigned to an engagement of the municipality (town staff
   * of a municipality it is on an engagement of); those assigned to an
   * engagement where the caller's organization is above it over approved links only.
   */
  async peopleScope(user: AuthUser, orgId: string): Promise<PeopleScope | null> {
    if ((await this.control(user, orgId)) === 'allow') return { all: true };
    if (user.role === 'town_staff' && user.municipalityId) {
      return (await this.onEngagementOfMunicipality(orgId, user.municipalityId))
        ? { all: false, municipalityId: user.municipalityId }
        : null;
    }
    if (user.role === 'org_manager' && user.organizationId) {
      const engagementIds = await this.engagementsWhereApprovedAbove(user.organizationId, orgId);
      return engagementIds.length ? { all: false, engagementIds } : null;
    }
    return null;
  }

  // ---- the decisions' building blocks ----

  /**
   * An organization's record: its own people; the side that registered it;
   * town staff of a municipality it is on an engagement of; a manager at or
   * above it on some engagement's tree (any link status: names and corporate
   * numbers are public registry data, never people).
   */
  private async readOrganization(user: AuthUser, orgId: string): Promise<Verdict> {
    if (user.role === 'content_author') return 'forbidden';
    const org = await this.organizationRow(orgId);
    if (!org) return 'not_found';
    if (user.role === 'admin' || user.organizationId === orgId) return 'allow';
    if (user.role === 'worker') return 'not_found';
    if (user.role === 'org_manager' && org.createdByOrganizationId === user.organizationId) return 'allow';
    if (user.role === 'town_staff' && user.municipalityId) {
      if (org.createdByMunicipalityId === user.municipalityId) return 'allow';
      return (await this.onEngagementOfMunicipality(orgId, user.municipalityId)) ? 'allow' : 'not_found';
    }
    for (const tree of (await this.treesWith(orgId)).values())
      if (tree.has(user.organizationId!) && tree.isAtOrAbove(user.organizationId!, orgId)) return 'allow';
    return 'not_found';
  }

  /**
   * Control of an organization: its own managers, the admin, or while it has
   * no manager yet whoever registered it. Naming it anywhere grants nothing.
   */
  private async control(user: AuthUser, orgId: string): Promise<Verdict> {
    if (user.role === 'worker' || user.role === 'content_author') return 'forbidden';
    const org = await this.organizationRow(orgId);
    if (!org) return 'not_found';
    if (user.role === 'admin') return 'allow';
    if (user.role === 'org_manager' && user.organizationId === orgId) return 'allow';
    const registrar =
      (user.role === 'town_staff' && !!org.createdByMunicipalityId && org.createdByMunicipalityId === user.municipalityId) ||
      (user.role === 'org_manager' && !!org.createdByOrganizationId && org.createdByOrganizationId === user.organizationId);
    if (!registrar) return 'not_found';
    const hasManager = await this.db.getRepository(User).existsBy({ organizationId: orgId, role: 'org_manager' });
    return hasManager ? 'not_found' : 'allow';
  }

  /**
   * Data of an engagement for the town and the contractors: progress and the
   * subcontract tree to anyone on it; readiness and the Article 11 report to
   * the town and the prime's managers only (others on it: 404, like anything
   * they may not see). Workers and content authors: 403.
   */
  private async engagementData(user: AuthUser, ref: EngagementRef, who: 'anyone_on_it' | 'prime_only'): Promise<Verdict> {
    if (user.role === 'worker' || user.role === 'content_author') return 'forbidden';
    const e = await this.engagementRow(ref);
    if (!e || !(await this.seesEngagement(user, e))) return 'not_found';
    if (who === 'anyone_on_it' || user.role !== 'org_manager') return 'allow';
    return e.primeOrganizationId === user.organizationId ? 'allow' : 'not_found';
  }

  /** `engagement.read`: the admin; the municipality's town staff; a manager whose organization is on it; a worker assigned to it. */
  private async seesEngagement(user: AuthUser, ref: EngagementRef): Promise<boolean> {
    const e = await this.engagementRow(ref);
    if (!e) return false;
    switch (user.role) {
      case 'admin':
        return true;
      case 'town_staff':
        return e.municipalityId === user.municipalityId;
      case 'org_manager':
        return (
          e.primeOrganizationId === user.organizationId ||
          this.db.getRepository(SubcontractLink).existsBy({ engagementId: e.id, organizationId: user.organizationId ?? '' })
        );
      case 'worker':
        return this.db.getRepository(Assignment).existsBy({ engagementId: e.id, workerId: user.workerId ?? '' });
      case 'content_author':
        return false;
    }
  }

  /**
   * A certificate's holder (name, e-mail): the holder; the admin; town staff
   * of the engagement's municipality; managers of the holder's organization,
   * and of an organization above it on that engagement over approved links.
   */
  private async seesHolder(user: AuthUser, h: HolderRef): Promise<Verdict> {
    switch (user.role) {
      case 'admin':
        return 'allow';
      case 'worker':
        return user.workerId === h.workerId ? 'allow' : 'not_found';
      case 'content_author':
        return 'forbidden';
      case 'town_staff':
        return user.municipalityId === h.municipalityId ? 'allow' : 'not_found';
      case 'org_manager': {
        if (user.organizationId === h.organizationId) return 'allow';
        const e = await this.engagementRow(h.engagementId);
        if (!e || !user.organizationId) return 'not_found';
        return (await this.tree(e)).isApprovedBetween(user.organizationId, h.organizationId) ? 'allow' : 'not_found';
      }
    }
  }

  private organizationRow(id: string): Promise<Organization | null> {
    return this.db.getRepository(Organization).findOneBy({ id });
  }

  private async engagementRow(ref: EngagementRef): Promise<Pick<Engagement, 'id' | 'municipalityId' | 'primeOrganizationId'> | null> {
    return typeof ref === 'string' ? this.db.getRepository(Engagement).findOneBy({ id: ref }) : ref;
  }

  /** Is the organization the prime of, or linked (any status) on, an engagement of the municipality? */
  private onEngagementOfMunicipality(orgId: string, municipalityId: string): Promise<boolean> {
    return this.db
      .getRepository(Engagement)
      .createQueryBuilder('e')
      .where('e.municipality_id = :m', { m: municipalityId })
      .andWhere(
        new Brackets((w) =>
          w
            .where('e.prime_organization_id = :o', { o: orgId })
            .orWhere('EXISTS (SELECT 1 FROM subcontract_links l WHERE l.engagement_id = e.id AND l.organization_id = :o)'),
        ),
      )
      .getExists();
  }

  /** The trees of every engagement the organization is linked on (as a subcontractor), by engagement id. */
  private async treesWith(orgId: string): Promise<Map<string, SubcontractTree>> {
    const own = await this.db.getRepository(SubcontractLink).find({ select: { engagementId: true }, where: { organizationId: orgId } });
    if (!own.length) return new Map();
    const engagementIds = own.map((l) => l.engagementId);
    const engagements = await this.db.getRepository(Engagement).find({
      select: { id: true, primeOrganizationId: true },
      where: { id: In(engagementIds) },
    });
    const links = await this.db.getRepository(SubcontractLink).find({ where: { engagementId: In(engagementIds) } });
    return new Map(
      engagements.map((e) => [
        e.id,
        new SubcontractTree(
          e.primeOrganizationId,
          links.filter((l) => l.engagementId === e.id),
        ),
      ]),
    );
  }

  /** Engagements on which `ancestorId` stands above `orgId` with every link between them approved. */
  private async engagementsWhereApprovedAbove(ancestorId: string, orgId: string): Promise<string[]> {
    if (ancestorId === orgId) return [];
    const out: string[] = [];
    for (const [engagementId, tree] of await this.treesWith(orgId)) if (tree.isApprovedBetween(ancestorId, orgId)) out.push(engagementId);
    return out;
  }
}

/** The permissions `engagement()` can load an engagement under. */
export type EngagementPermission = { [P in Permission]: EngagementRef extends PermissionTargets[P] ? P : never }[Permission];
