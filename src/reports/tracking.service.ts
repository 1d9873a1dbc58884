import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { AuthUser } from '../auth/auth-user';
import { PageAfter } from '../common/pagination/page-after';
import { decodeCursor, encodeCursor, invalidCursor } from '../common/pagination/pagination';
import { ContentService } from '../content/content.service';
import { AuditService } from '../audit/audit.service';
import { ProgressFilter } from './dto/tracking.dto';
import { Engagement } from '../engagements/engagement.entity';
import {
  findAssignedWorker,
  forEachWorkerSummary,
  isCertified,
  loadOrganizationRows,
  loadWorkerRows,
  organizationsWithWorkers,
  OrgRow,
  WorkerRow,
  WorkerSummary,
} from './tracking-data';

/** Workers whose detail is read per round trip of an export (four statements a page). */
export const EXPORT_PAGE = 200;

/**
 * An export's data: the caller's view of the engagement, the curriculum's
 * module ids (in order), and every worker kept, in tree order: their compact
 * standings (`summaries`, `count` of them), and with organization and module
 * detail page by page (`pages`, EXPORT_PAGE workers read as it is iterated).
 */
export interface ProgressExport {
  engagement: Engagement;
  organizations: OrgRow[];
  curriculum: string[];
  count: number;
  summaries: WorkerSummary[];
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
    const selection = new PageAfter<Pick<WorkerSummary, 'id' | 'name' | 'organizationId'>>(q.limit, treeOrder(order), anchor ?? undefined);
    await forEachWorkerSummary(this.db, this.content, engagement, people, (w) => {
      count(t, w);
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
   * stream past once (forEachWorkerSummary) and only a compact summary of
   * those kept is held, for the tree order; each page of EXPORT_PAGE workers'
   * detail (modules, employee number, certificate) is read when the reader
   * wants it. So at 100,000 workers the first rows leave at once, and memory
   * holds the summaries and one page, never every worker's detail.
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
    const kept: WorkerSummary[] = [];
    await forEachWorkerSummary(this.db, this.content, engagement, people, (w) => {
      if ((!q.organizationId || w.organizationId === q.organizationId) && matches(w, q.status)) kept.push(w);
    });
    kept.sort(treeOrder(order));
    const orgs = new Map(organizations.map((o) => [o.id, o]));
    const { db, content } = this;
    return {
      engagement,
      organizations,
      curriculum: engagement.curriculum.filter((id) => content.has(id)),
      count: kept.length,
      summaries: kept,
      pages: (async function* () {
        for (let i = 0; i < kept.length; i += EXPORT_PAGE) {
          const rows = await loadWorkerRows(db, content, engagement, kept.slice(i, i + EXPORT_PAGE));
          yield rows.map((w) => ({ ...w, organization: orgs.get(w.organizationId)! }));
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
    const endOfContract = new Date(`${engagement.endsOn}T23:59:59+09:00`);
    const t = newTotals();
    const workerBlockers: Record<string, unknown>[] = [];
    await forEachWorkerSummary(this.db, this.content, engagement, people, (w) => {
      count(t, w);
      const o = orgs.get(w.organizationId)!;
      const who = { organizationId: o.id, organizationName: o.name, workerId: w.id, workerName: w.name };
      if (!isCertified(w.status))
        workerBlockers.push({
          type: 'worker_not_certified',
          ...who,
          progress: w.status,
          overdue: w.overdue,
          certificateStatus: w.certificate?.status ?? null,
        });
      else if (new Date(w.certificate!.validUntil) < endOfContract)
        workerBlockers.push({
          type: 'certificate_expires_before_end',
          ...who,
          serial: w.certificate!.serial,
          validUntil: w.certificate!.validUntil,
          endsOn: engagement.endsOn,
        });
    });
    const blockers: Record<string, unknown>[] = [];
    if (!withWorkers.size) blockers.push({ type: 'no_workers_assigned' });
    for (const o of organizations)
      if (o.status === 'pending_approval' || (o.status === 'rejected' && withWorkers.has(o.id)))
        blockers.push({
          type: 'subcontractor_not_approved',
          organizationId: o.id,
          organizationName: o.name,
          tier: o.tier,
          status: o.status,
        });
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
      blockers,
    };
  }
}

const newTotals = () => ({ assigned: 0, certified: 0, expiring: 0, inProgress: 0, notStarted: 0, overdue: 0 });
type Totals = ReturnType<typeof newTotals>;

function count(t: Totals, w: WorkerSummary): void {
  t.assigned++;
  if (isCertified(w.status)) t.certified++;
  if (w.status === 'expiring') t.expiring++;
  if (w.status === 'in_progress') t.inProgress++;
  if (w.status === 'not_started') t.notStarted++;
  if (w.overdue) t.overdue++;
}

export function totals(workers: WorkerSummary[]): Totals {
  const t = newTotals();
  for (const w of workers) count(t, w);
  return t;
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
