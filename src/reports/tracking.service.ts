import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { AuthUser } from '../auth/auth-user';
import { toCsv } from '../common/csv/csv';
import { decodeCursor, encodeCursor, invalidCursor } from '../common/pagination/pagination';
import { ContentService } from '../content/content.service';
import { AuditService } from '../audit/audit.service';
import { ProgressFilter } from './dto/tracking.dto';
import { loadTrackingData, OrgRow, TrackingData, WorkerRow } from './tracking-data';

const matches = (w: WorkerRow, f: ProgressFilter | undefined) =>
  !f || (f === 'certified' ? w.status === 'certified' || w.status === 'expiring' : f === 'overdue' ? w.overdue : w.status === f);

/** Progress by organization tier, and readiness: may the contract start? */
@Injectable()
export class TrackingService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly content: ContentService,
    private readonly audit: AuditService,
  ) {}

  /** The data an org manager may see is their subtree; town staff and admins see the whole tree. */
  async data(user: AuthUser, engagementId: string): Promise<TrackingData> {
    const engagement = await this.access.engagement(user, engagementId);
    const tree = await this.access.tree(engagement);
    return loadTrackingData(this.db, this.content, engagement, tree, this.access.visibleOrganizations(user, tree));
  }

  async progress(user: AuthUser, engagementId: string, q: { status?: ProgressFilter; organizationId?: string; limit: number; cursor?: string }) {
    const data = await this.data(user, engagementId);
    const { order, rows } = this.filtered(data, q);
    // The cursor holds only the last worker's id (sort keys contain names, which never go into URLs).
    const after = decodeCursor(q.cursor);
    const anchor = after ? data.workers.find((w) => w.id === after[1]) : undefined;
    if (after && !anchor) throw invalidCursor();
    const anchorKey = anchor ? sortKey(order, anchor) : '';
    const start = anchor ? rows.findIndex((w) => cmp(sortKey(order, w), anchorKey) > 0 || (sortKey(order, w) === anchorKey && w.id > anchor.id)) : 0;
    const page = start < 0 ? [] : rows.slice(start, start + q.limit);
    const more = start >= 0 && start + q.limit < rows.length;
    const last = page[page.length - 1];
    const byOrg = new Map<string, WorkerRow[]>();
    for (const w of page) byOrg.set(w.organizationId, [...(byOrg.get(w.organizationId) ?? []), w]);
    return {
      engagement: { id: data.engagement.id, title: data.engagement.title, startsOn: data.engagement.startsOn, endsOn: data.engagement.endsOn, curriculum: data.engagement.curriculum },
      organizations: data.organizations.map((o) => ({ ...o, workers: byOrg.get(o.id) ?? [] })),
      totals: totals(data.workers),
      nextCursor: more && last ? encodeCursor('', last.id) : null,
    };
  }

  /** One row per worker, for Excel in Japan: UTF-8 with BOM, Japanese headers unless `lang=en`. */
  async progressCsv(user: AuthUser, engagementId: string, q: { status?: ProgressFilter; organizationId?: string; lang: 'ja' | 'en' }): Promise<string> {
    const data = await this.data(user, engagementId);
    const { rows } = this.filtered(data, q);
    const orgs = new Map(data.organizations.map((o) => [o.id, o]));
    const curriculum = data.engagement.curriculum.filter((id) => this.content.has(id));
    const ja = q.lang === 'ja';
    const header = [
      ...(ja
        ? ['組織', '階層', '承認状況', '氏名', '社員番号', '状況', '期限超過', '修了数', '必須数', '修了証番号', '修了証の状態', '修了証の有効期限']
        : ['Organization', 'Tier', 'Approval', 'Name', 'Employee number', 'Status', 'Overdue', 'Modules completed', 'Modules required', 'Certificate serial', 'Certificate status', 'Certificate valid until']),
      ...curriculum.map((id) => (ja ? `${this.content.get(id).title.ja}` : this.content.get(id).title.en)),
    ];
    const words = ja ? JA_WORDS : EN_WORDS;
    const body = rows.map((w) => {
      const o = orgs.get(w.organizationId)!;
      return [
        o.name,
        o.tier,
        words[o.status],
        w.name,
        w.employeeNumber,
        words[w.status],
        w.overdue ? words.yes : '',
        w.modules.filter((m) => m.status === 'completed').length,
        curriculum.length,
        w.certificate?.serial,
        w.certificate ? words[w.certificate.status] ?? w.certificate.status : '',
        w.certificate?.validUntil.slice(0, 10),
        ...w.modules.map((m) => (m.status === 'completed' ? `${words.completed} (${m.bestScore ?? ''})` : words[m.status])),
      ];
    });
    await this.audit.append({
      action: 'export.downloaded',
      actor: user,
      targetType: 'engagement',
      targetId: engagementId,
      engagementId,
      details: { kind: 'progress_csv', rows: body.length, lang: q.lang },
    });
    return toCsv(header, body);
  }

  private filtered(data: TrackingData, q: { status?: ProgressFilter; organizationId?: string }) {
    if (q.organizationId && !data.organizations.some((o) => o.id === q.organizationId)) throw new NotFoundException('Organization not found on this engagement');
    const order = orgOrder(data.organizations);
    const rows = data.workers
      .filter((w) => (!q.organizationId || w.organizationId === q.organizationId) && matches(w, q.status))
      .sort((a, b) => cmp(sortKey(order, a), sortKey(order, b)) || cmp(a.id, b.id));
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
    const engagement = await this.access.engagement(user, engagementId);
    if (user.role === 'org_manager' && user.organizationId !== engagement.primeOrganizationId)
      throw new ForbiddenException("Readiness is for the town and the prime contractor's managers");
    const data = await this.data(user, engagementId);
    const orgs = new Map(data.organizations.map((o) => [o.id, o]));
    const withWorkers = new Set(data.workers.map((w) => w.organizationId));
    const endOfContract = new Date(`${engagement.endsOn}T23:59:59+09:00`);
    const blockers: Record<string, unknown>[] = [];
    if (!data.workers.length) blockers.push({ type: 'no_workers_assigned' });
    for (const o of data.organizations)
      if (o.status === 'pending_approval' || (o.status === 'rejected' && withWorkers.has(o.id)))
        blockers.push({ type: 'subcontractor_not_approved', organizationId: o.id, organizationName: o.name, tier: o.tier, status: o.status });
    for (const w of data.workers) {
      const o = orgs.get(w.organizationId)!;
      const who = { organizationId: o.id, organizationName: o.name, workerId: w.id, workerName: w.name };
      if (w.status !== 'certified' && w.status !== 'expiring')
        blockers.push({ type: 'worker_not_certified', ...who, progress: w.status, overdue: w.overdue, certificateStatus: w.certificate?.status ?? null });
      else if (new Date(w.certificate!.validUntil) < endOfContract)
        blockers.push({ type: 'certificate_expires_before_end', ...who, serial: w.certificate!.serial, validUntil: w.certificate!.validUntil, endsOn: engagement.endsOn });
    }
    const byType: Record<string, number> = {};
    for (const b of blockers) byType[b.type as string] = (byType[b.type as string] ?? 0) + 1;
    return {
      engagementId,
      ready: blockers.length === 0,
      checkedAt: new Date().toISOString(),
      startsOn: engagement.startsOn,
      endsOn: engagement.endsOn,
      counts: { ...totals(data.workers), organizations: data.organizations.length, blockers: blockers.length, blockersByType: byType },
      blockers,
    };
  }
}

export function totals(workers: WorkerRow[]) {
  const t = { assigned: workers.length, certified: 0, expiring: 0, inProgress: 0, notStarted: 0, overdue: 0 };
  for (const w of workers) {
    if (w.status === 'certified' || w.status === 'expiring') t.certified++;
    if (w.status === 'expiring') t.expiring++;
    if (w.status === 'in_progress') t.inProgress++;
    if (w.status === 'not_started') t.notStarted++;
    if (w.overdue) t.overdue++;
  }
  return t;
}

/** Organizations in tree order (prime, then by tier and name) as zero-padded positions for sort keys. */
function orgOrder(orgs: OrgRow[]): Map<string, string> {
  const sorted = [...orgs].sort((a, b) => a.tier - b.tier || cmp(a.name, b.name));
  return new Map(sorted.map((o, i) => [o.id, String(i).padStart(5, '0')]));
}

const sortKey = (order: Map<string, string>, w: WorkerRow) => `${order.get(w.organizationId)}|${w.name}`;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const JA_WORDS: Record<string, string> = {
  prime: '元請',
  approved: '承認済み',
  pending_approval: '承認待ち',
  rejected: '不承認',
  not_started: '未着手',
  in_progress: '受講中',
  completed: '修了',
  certified: '修了証あり',
  expiring: '修了証あり（30日以内に期限切れ）',
  valid: '有効',
  expired: '期限切れ',
  revoked: '取消し',
  superseded: '更新済み',
  yes: '期限超過',
};
const EN_WORDS: Record<string, string> = {
  prime: 'prime',
  approved: 'approved',
  pending_approval: 'pending approval',
  rejected: 'rejected',
  not_started: 'not started',
  in_progress: 'in progress',
  completed: 'completed',
  certified: 'certified',
  expiring: 'certified (expires within 30 days)',
  valid: 'valid',
  expired: 'expired',
  revoked: 'revoked',
  superseded: 'superseded',
  yes: 'overdue',
};
