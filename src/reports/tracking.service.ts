import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { AuthUser } from '../auth/auth-user';
import { PageAfter } from '../common/pagination/page-after';
import { decodeCursor, encodeCursor, invalidCursor } from '../common/pagination/pagination';
import { ContentService } from '../content/content.service';
import { AuditService } from '../audit/audit.service';
import { ProgressFilter } from './dto/tracking.dto';
import { Engagement } from '../engagements/engagement.entity';
import { SubcontractLink } from '../engagements/subcontract-link.entity';
import { Organization } from '../organizations/organization.entity';
import { SubcontractTree } from '../access/subcontract-tree';
import { daysUntil } from '../common/dates';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  findAssignedWorker,
  forEachWorkerSummary,
  forEachWorkerSummaryOf,
  isCertified,
  loadOrganizationRows,
  loadWorkerRows,
  organizationsWithWorkers,
  OrgRow,
  WorkerRow,
  WorkerSummary,
} from './tracking-data';
import { KeptStandings } from './kept-standings';
import { releaseHeapAfterExport } from '../system/heap-release';

/** Workers whose detail is read per round trip of an export (four statements a page). */
export const EXPORT_PAGE = 200;

/**
 * An export's data: the caller's view of the engagement, the curriculum's
 * module ids (in order), and every worker kept, in tree order: their compact
 * standings (`standings`, `count` of them), and with organization and module
 * detail page by page (`pages`, EXPORT_PAGE workers read as it is iterated).
 */
export interface ProgressExport {
  engagement: Engagement;
  organizations: OrgRow[];
  curriculum: string[];
  count: number;
  standings: KeptStandings;
  pages: AsyncIterable<(WorkerRow & { organization: OrgRow })[]>;
}

const matches = (w: WorkerSummary, f: ProgressFilter | undefined) =>
  !f || (f === 'certified' ? isCertified(w.status) : f === 'overdue' ? w.overdue : w.status === f);

/** Progress by organization tier, and readiness: may the contract start? */
@Injectable()
export class TrackingService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly content: ContentService,
    private readonly audit: AuditService,
  ) {}

  /** The engagement, the organizations of its tree the caller may see, and those whose people they see. */
  private async scope(user: AuthUser, e: Engagement) {
    const tree = await this.access.tree(e);
    const scope = this.access.trackingScope(user, tree);
    return { engagement: e, organizations: await loadOrganizationRows(this.db, tree, scope.organizations), people: scope.people };
  }

  /**
   * Totals over every visible worker, module detail only for the page
   * shown. The workers stream past once: counted, filtered and offered to
   * the page, never all held at once.
   */
  async progress(
    user: AuthUser,
    engagementId: string,
    q: { status?: ProgressFilter; organizationId?: string; limit: number; cursor?: string },
  ) {
    const { engagement, organizations, people } = await this.scope(
      user,
      await this.access.engagement(user, engagementId, 'engagement.progress.read'),
    );
    const order = orgOrder(checkOrganization(organizations, q.organizationId));
    // The cursor holds only the last worker's id (sort keys contain names, which never go into URLs).
    const after = decodeCursor(q.cursor);
    const anchor = after ? await findAssignedWorker(this.db, engagement.id, after[1]) : undefined;
    if (after && (!anchor || !people.has(anchor.organizationId))) throw invalidCursor();
    const t = newTotals();
    const byOrganization: Record<string, Totals> = {};
    const selection = new PageAfter<Pick<WorkerSummary, 'id' | 'name' | 'organizationId'>>(q.limit, treeOrder(order), anchor ?? undefined);
    await forEachWorkerSummary(this.db, this.content, engagement, people, (w) => {
      count(t, w);
      count((byOrganization[w.organizationId] ??= newTotals()), w);
      if ((!q.organizationId || w.organizationId === q.organizationId) && matches(w, q.status)) selection.offer(w);
    });
    const { items, more } = selection.result();
    // Only workers were offered; the anchor is never among the results.
    const page = await loadWorkerRows(this.db, this.content, engagement, items as WorkerSummary[]);
    const last = page[page.length - 1];
    const byOrg = new Map<string, WorkerRow[]>();
    for (const w of page) byOrg.set(w.organizationId, [...(byOrg.get(w.organizationId) ?? []), w]);
    return {
      engagement: {
        id: engagement.id,
        title: engagement.title,
        contractNumber: engagement.contractNumber,
        startsOn: engagement.startsOn,
        endsOn: engagement.endsOn,
        curriculum: engagement.curriculum,
        /** Days before the start when the automatic reminders go out (docs/mail.md). */
        reminderDays: engagement.reminderDays,
      },
      organizations: organizations.map((o) => ({ ...o, workers: byOrg.get(o.id) ?? [] })),
      totals: t,
      /** The same counts per organization (every visible worker, not only this page's): the completion bars. */
      byOrganization,
      nextCursor: more && last ? encodeCursor('', last.id) : null,
    };
  }

  /**
   * Every worker the filters keep, in tree order, with their organization and
   * module detail: what the progress CSV holds (its headers and words are
   * web/'s: src/web/progress-csv.ts), streamed (`exportRows`). The export is
   * recorded in the audit trail with its row count and the language it is
   * written in.
   */
  async progressExport(
    user: AuthUser,
    engagementId: string,
    q: { status?: ProgressFilter; organizationId?: string; lang: 'ja' | 'en' },
  ): Promise<ProgressExport> {
    const exported = await this.exportRows(user, engagementId, q);
    await this.audit.append({
      action: 'export.downloaded',
      actor: user,
      targetType: 'engagement',
      targetId: engagementId,
      engagementId,
      details: { kind: 'progress_csv', rows: exported.count, lang: q.lang },
    });
    return exported;
  }

  /**
   * The workers an export holds, streamed (issue 17): the workers' standings
   * stream past once (forEachWorkerSummary) and those kept are held in
   * columns (KeptStandings, ~80 bytes a worker), sorted in tree order; each
   * page of EXPORT_PAGE workers' detail (modules, employee number,
   * certificate) is read when the reader wants it. So at 100,000 workers the
   * first rows leave at once, and memory holds the standings and one page,
   * never every worker's detail. An export whose pass read
   * LARGE_EXPORT_WORKERS workers or more gives V8's pooled pages back once
   * its pages end, are abandoned or fail (heap-release.ts).
   * `permission`: the progress (the CSV) or the Article 11 report.
   */
  async exportRows(
    user: AuthUser,
    engagementId: string,
    q: { status?: ProgressFilter; organizationId?: string },
    permission: 'engagement.progress.read' | 'engagement.report.read' = 'engagement.progress.read',
  ): Promise<ProgressExport> {
    const { engagement, organizations, people } = await this.scope(user, await this.access.engagement(user, engagementId, permission));
    const order = orgOrder(checkOrganization(organizations, q.organizationId));
    const kept = new KeptStandings();
    // The pass reads every assigned worker the caller sees, whatever the filter keeps: that is what the heap held.
    let read = 0;
    await forEachWorkerSummary(this.db, this.content, engagement, people, (w) => {
      read++;
      if ((!q.organizationId || w.organizationId === q.organizationId) && matches(w, q.status)) kept.add(w);
    });
    kept.sort(treeOrder(order));
    const orgs = new Map(organizations.map((o) => [o.id, o]));
    const { db, content } = this;
    return {
      engagement,
      organizations,
      curriculum: engagement.curriculum.filter((id) => content.has(id)),
      count: kept.length,
      standings: kept,
      pages: (async function* () {
        try {
          for (let i = 0; i < kept.length; i += EXPORT_PAGE) {
            // One page per turn of the event loop: on SQLite a page's reads are synchronous and a socket that keeps
            // taking data answers at once, so without this turn a 100,000-worker export ran as one chain of
            // promises and no other request (not even /healthz) was answered until it ended (30 s).
            await nextTurn();
            const rows = await loadWorkerRows(db, content, engagement, kept.page(i, i + EXPORT_PAGE));
            yield rows.map((w) => ({ ...w, organization: orgs.get(w.organizationId)! }));
          }
        } finally {
          // Read to its end, abandoned by the client or failed: the heap goes back all the same.
          releaseHeapAfterExport(read);
        }
      })(),
    };
  }

  /**
   * ready only if: at least one worker is assigned; every subcontract link is
   * approved (a refused organization blocks only while it still has workers
   * assigned); every assigned worker holds a valid certificate; no
   * certificate expires before the engagement ends. Each failing rule is a
   * blocker naming the organization or worker it concerns.
   */
  async readiness(user: AuthUser, engagementId: string) {
    const engagement = await this.access.engagement(user, engagementId, 'engagement.readiness.read');
    const { organizations, people } = await this.scope(user, engagement);
    const orgs = new Map(organizations.map((o) => [o.id, o]));
    // Judged on the whole tree: a worker the caller may not see still counts, only unnamed.
    const withWorkers = await organizationsWithWorkers(this.db, engagement.id);
    const t = newTotals();
    const byOrganization: Record<string, Totals> = {};
    const workerBlockers: Record<string, unknown>[] = [];
    const judge = workerBlocker(engagement);
    await forEachWorkerSummary(this.db, this.content, engagement, people, (w) => {
      count(t, w);
      count((byOrganization[w.organizationId] ??= newTotals()), w);
      const b = judge(w, orgs.get(w.organizationId)!);
      if (b) workerBlockers.push(b);
    });
    const blockers = organizationBlockers(organizations, withWorkers);
    blockers.push(...workerBlockers);
    const byType: Record<string, number> = {};
    for (const b of blockers) byType[b.type as string] = (byType[b.type as string] ?? 0) + 1;
    return {
      engagementId,
      ready: blockers.length === 0,
      checkedAt: new Date().toISOString(),
      startsOn: engagement.startsOn,
      endsOn: engagement.endsOn,
      counts: { ...t, organizations: organizations.length, blockers: blockers.length, blockersByType: byType },
      /** The organizations the caller may see with their counts (the completion bars). */
      organizations: organizations.map((o) => ({
        id: o.id,
        name: o.name,
        tier: o.tier,
        status: o.status,
        counts: byOrganization[o.id] ?? newTotals(),
      })),
      blockers,
    };
  }

  /**
   * The home pages at a glance, for engagements the caller sees (unknown or unseen ids are left out):
   * per engagement the readiness verdict by the same rules as `readiness` (ready, the number of
   * blockers, days until the start in JST) and per organization the caller may see its name, tier and
   * counts (the completion bars). A fixed number of statements whatever the number of engagements
   * (no read per engagement): the engagements, their links, the organizations' names, then the
   * workers, their attempts and certificates for all at once.
   */
  async glance(user: AuthUser, engagementIds: readonly string[], now = new Date()): Promise<Map<string, Glance>> {
    const out = new Map<string, Glance>();
    if (!engagementIds.length) return out;
    const qb = this.db
      .getRepository(Engagement)
      .createQueryBuilder('e')
      .where('e.id IN (:...ids)', { ids: [...engagementIds] });
    const engagements = await this.access.scopeEngagements(qb, user).getMany();
    if (!engagements.length) return out;
    const links = await this.db.getRepository(SubcontractLink).find({ where: { engagementId: In(engagements.map((e) => e.id)) } });
    const views = this.access.subcontractViews(user, engagements, links);
    const trees = new Map<string, SubcontractTree>();
    const peopleOf = new Map<string, ReadonlySet<string>>();
    const orgIds = new Set<string>();
    for (const e of engagements) {
      const tree = views.get(e.id)!.tree;
      const scope = this.access.trackingScope(user, tree);
      trees.set(e.id, tree);
      peopleOf.set(e.id, scope.people);
      for (const id of scope.organizations) orgIds.add(id);
    }
    const names = new Map(
      (orgIds.size
        ? await this.db.getRepository(Organization).find({ select: { id: true, name: true }, where: { id: In([...orgIds]) } })
        : []
      ).map((o) => [o.id, o.name]),
    );
    const state = new Map<
      string,
      { orgs: Map<string, OrgRow>; withWorkers: Set<string>; byOrganization: Record<string, Totals>; blockers: number; totals: Totals }
    >();
    for (const e of engagements) {
      const tree = trees.get(e.id)!;
      const visible = this.access.trackingScope(user, tree).organizations;
      const orgs = new Map(
        visible.map((id) => {
          const link = tree.link(id);
          const row: OrgRow = {
            id,
            name: names.get(id) ?? '',
            tier: tree.tier(id),
            parentOrganizationId: link?.parentOrganizationId ?? null,
            status: link ? link.status : 'prime',
            decidedOn: link?.decidedOn ?? null,
            reference: link?.reference ?? null,
          };
          return [id, row];
        }),
      );
      state.set(e.id, { orgs, withWorkers: new Set(), byOrganization: {}, blockers: 0, totals: newTotals() });
    }
    const judges = new Map(engagements.map((e) => [e.id, workerBlocker(e)]));
    await forEachWorkerSummaryOf(
      this.db,
      this.content,
      engagements,
      peopleOf,
      (engagementId, w, visible) => {
        const st = state.get(engagementId)!;
        st.withWorkers.add(w.organizationId);
        if (!visible) return;
        count(st.totals, w);
        count((st.byOrganization[w.organizationId] ??= newTotals()), w);
        if (judges.get(engagementId)!(w, st.orgs.get(w.organizationId)!)) st.blockers++;
      },
      now,
    );
    for (const e of engagements) {
      const st = state.get(e.id)!;
      const blockers = st.blockers + organizationBlockers([...st.orgs.values()], st.withWorkers).length;
      out.set(e.id, {
        engagementId: e.id,
        ready: blockers === 0,
        blockers,
        startsOn: e.startsOn,
        daysUntilStart: daysUntil(e.startsOn, now),
        totals: st.totals,
        organizations: [...st.orgs.values()].map((o) => ({
          id: o.id,
          name: o.name,
          tier: o.tier,
          status: o.status,
          counts: st.byOrganization[o.id] ?? newTotals(),
        })),
      });
    }
    return out;
  }
}

/** One engagement at a glance (TrackingService.glance). */
export interface Glance {
  engagementId: string;
  ready: boolean;
  blockers: number;
  startsOn: string;
  /** Whole JST days until the start: 0 on the day, negative once started. */
  daysUntilStart: number;
  totals: Totals;
  organizations: { id: string; name: string; tier: number; status: OrgRow['status']; counts: Totals }[];
}

/**
 * The readiness rule for one worker (readiness and glance): not certified, or certified with a
 * certificate that ends before the engagement does (its last day, 23:59:59 JST). Null when neither.
 */
function workerBlocker(engagement: Pick<Engagement, 'endsOn'>) {
  const endOfContract = new Date(`${engagement.endsOn}T23:59:59+09:00`);
  return (w: WorkerSummary, o: Pick<OrgRow, 'id' | 'name'>): Record<string, unknown> | null => {
    const who = { organizationId: o.id, organizationName: o.name, workerId: w.id, workerName: w.name };
    if (!isCertified(w.status))
      return {
        type: 'worker_not_certified',
        ...who,
        progress: w.status,
        overdue: w.overdue,
        certificateStatus: w.certificate?.status ?? null,
      };
    if (new Date(w.certificate!.validUntil) < endOfContract)
      return {
        type: 'certificate_expires_before_end',
        ...who,
        serial: w.certificate!.serial,
        validUntil: w.certificate!.validUntil,
        endsOn: engagement.endsOn,
      };
    return null;
  };
}

/**
 * The readiness rules for the tree (readiness and glance): someone must be assigned; a subcontractor
 * awaiting the town's consent blocks, a refused one only while it still has workers (Article 5).
 */
function organizationBlockers(organizations: readonly OrgRow[], withWorkers: ReadonlySet<string>): Record<string, unknown>[] {
  const blockers: Record<string, unknown>[] = [];
  if (!withWorkers.size) blockers.push({ type: 'no_workers_assigned' });
  for (const o of organizations)
    if (o.status === 'pending_approval' || (o.status === 'rejected' && withWorkers.has(o.id)))
      blockers.push({ type: 'subcontractor_not_approved', organizationId: o.id, organizationName: o.name, tier: o.tier, status: o.status });
  return blockers;
}

export const newTotals = () => ({ assigned: 0, certified: 0, expiring: 0, inProgress: 0, notStarted: 0, notEnrolled: 0, overdue: 0 });
export type Totals = ReturnType<typeof newTotals>;

function count(t: Totals, w: WorkerSummary): void {
  t.assigned++;
  if (isCertified(w.status)) t.certified++;
  if (w.status === 'expiring') t.expiring++;
  if (w.status === 'in_progress') t.inProgress++;
  if (w.status === 'not_started') t.notStarted++;
  if (w.status === 'not_enrolled') t.notEnrolled++;
  if (w.overdue) t.overdue++;
}

/** The counts of `workers`, in all and per organization (the Article 11 report's totals and rows). */
export function totalsByOrganization(workers: Iterable<WorkerSummary>): { all: Totals; byOrganization: Map<string, Totals> } {
  const all = newTotals();
  const byOrganization = new Map<string, Totals>();
  for (const w of workers) {
    count(all, w);
    let t = byOrganization.get(w.organizationId);
    if (!t) byOrganization.set(w.organizationId, (t = newTotals()));
    count(t, w);
  }
  return { all, byOrganization };
}

function checkOrganization(orgs: OrgRow[], organizationId: string | undefined): OrgRow[] {
  if (organizationId && !orgs.some((o) => o.id === organizationId)) throw new DomainError('organization.not_on_engagement');
  return orgs;
}

/** Organizations in tree order (prime, then by tier and name) as positions. */
function orgOrder(orgs: OrgRow[]): Map<string, number> {
  const sorted = [...orgs].sort((a, b) => a.tier - b.tier || cmp(a.name, b.name));
  return new Map(sorted.map((o, i) => [o.id, i]));
}

/** Workers in tree order: their organization's position, then name, then id (no key strings built). */
const treeOrder =
  (order: Map<string, number>) =>
  (a: Pick<WorkerSummary, 'id' | 'name' | 'organizationId'>, b: Pick<WorkerSummary, 'id' | 'name' | 'organizationId'>): number =>
    order.get(a.organizationId)! - order.get(b.organizationId)! || cmp(a.name, b.name) || cmp(a.id, b.id);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
