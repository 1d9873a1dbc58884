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
  loadTrackingData,
  loadWorkerRows,
  organizationsWithWorkers,
  OrgRow,
  TrackingData,
  WorkerRow,
  WorkerSummary,
} from './tracking-data';

/** The progress export: the curriculum's module ids (in order) and every worker kept, with their organization. */
export interface ProgressExport {
  curriculum: string[];
  rows: (WorkerRow & { organization: OrgRow })[];
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

  /**
   * Everything the caller may see of an engagement, module by module (AccessService.trackingScope:
   * town staff and admins the whole tree; a manager their subtree, and people only over approved links).
   * `permission` is what the use case needs: progress (the CSV) or the Article 11 report.
   */
  async data(
    user: AuthUser,
    engagementId: string,
    permission: 'engagement.progress.read' | 'engagement.report.read' = 'engagement.progress.read',
  ): Promise<TrackingData> {
    const engagement = await this.access.engagement(user, engagementId, permission);
    const tree = await this.access.tree(engagement);
    return loadTrackingData(this.db, this.content, engagement, tree, this.access.trackingScope(user, tree));
  }

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
    const page = await loadWorkerRows(this.db, this.content, engagement, items as WorkerSummary[], 'these');
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
   * web/'s: src/web/progress-csv.ts). The export is recorded in the audit
   * trail with its row count and the language it is written in.
   */
  async progressExport(
    user: AuthUser,
    engagementId: string,
    q: { status?: ProgressFilter; organizationId?: string; lang: 'ja' | 'en' },
  ): Promise<ProgressExport> {
    const data = await this.data(user, engagementId);
    const { rows } = this.filtered(data, q);
    const organizations = new Map(data.organizations.map((o) => [o.id, o]));
    await this.audit.append({
      action: 'export.downloaded',
      actor: user,
      targetType: 'engagement',
      targetId: engagementId,
      engagementId,
      details: { kind: 'progress_csv', rows: rows.length, lang: q.lang },
    });
    return {
      curriculum: data.engagement.curriculum.filter((id) => this.content.has(id)),
      rows: rows.map((w) => ({ ...w, organization: organizations.get(w.organizationId)! })),
    };
  }

  /** The workers the filters keep, all of them in tree order. */
  private filtered<W extends WorkerSummary>(
    data: { organizations: OrgRow[]; workers: W[] },
    q: { status?: ProgressFilter; organizationId?: string },
  ) {
    const order = orgOrder(checkOrganization(data.organizations, q.organizationId));
    const rows = data.workers
      .filter((w) => (!q.organizationId || w.organizationId === q.organizationId) && matches(w, q.status))
      .sort(treeOrder(order));
    return { order, rows };
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
