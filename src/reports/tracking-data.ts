import { DataSource, In } from 'typeorm';
import { SubcontractTree } from '../access/subcontract-tree';
import { ContentService } from '../content/content.service';
import { Certificate, effectiveStatus } from '../certificates/certificate.entity';
import { todayJst } from '../common/dates';
import { Engagement } from '../engagements/engagement.entity';
import { Organization } from '../organizations/organization.entity';
import { countingCompletion } from '../training/completion-rules';

export type WorkerStatus = 'not_started' | 'in_progress' | 'certified' | 'expiring';
export const EXPIRING_DAYS = 30;
const DAY = 86400_000;

export interface OrgRow {
  id: string;
  name: string;
  tier: number;
  parentOrganizationId: string | null;
  /** `prime` for the prime contractor, else the link's approval status. */
  status: 'prime' | 'pending_approval' | 'approved' | 'rejected';
  decidedOn: string | null;
  reference: string | null;
}

export interface WorkerRow {
  id: string;
  name: string;
  employeeNumber: string | null;
  organizationId: string;
  status: WorkerStatus;
  overdue: boolean;
  modules: { moduleId: string; status: 'not_started' | 'in_progress' | 'completed'; revision: number | null; attempts: number; bestScore: number | null; completedAt: string | null }[];
  certificate: { serial: string; status: string; validFrom: string; validUntil: string; modules: Certificate['modules'] } | null;
}

export interface TrackingData {
  engagement: Engagement;
  organizations: OrgRow[];
  workers: WorkerRow[];
}

/**
 * Everything progress, readiness and the Article 11 report need about an
 * engagement, for the organizations the caller may see, in a fixed number of
 * queries whatever the number of workers (four here, plus the tree): the
 * organizations, the assigned workers, their completions, their attempt
 * aggregates and the engagement's certificates. Joins on the assignments,
 * never a list of worker ids, so 100,000 workers need no more statements.
 */
export async function loadTrackingData(
  db: DataSource,
  content: ContentService,
  engagement: Engagement,
  tree: SubcontractTree,
  visibleOrgIds: string[],
  now = new Date(),
): Promise<TrackingData> {
  const orgIds = visibleOrgIds;
  const orgs = orgIds.length ? await db.getRepository(Organization).findBy({ id: In(orgIds) }) : [];
  const orgRows: OrgRow[] = orgIds.map((id) => {
    const link = tree.link(id);
    const o = orgs.find((x) => x.id === id)!;
    return {
      id,
      name: o.name,
      tier: tree.tier(id),
      parentOrganizationId: link?.parentOrganizationId ?? null,
      status: link ? link.status : 'prime',
      decidedOn: link?.decidedOn ?? null,
      reference: link?.reference ?? null,
    };
  });
  const visible = new Set(orgIds);
  const e = engagement.id;

  const workers = (
    await db.query(
      param(db, 'SELECT w.id, w.name, w.employee_number, w.organization_id FROM assignments a JOIN workers w ON w.id = a.worker_id WHERE a.engagement_id = ?'),
      [e],
    )
  ).filter((w: { organization_id: string }) => visible.has(w.organization_id)) as { id: string; name: string; employee_number: string | null; organization_id: string }[];

  const curriculum = engagement.curriculum.filter((id) => content.has(id));
  const completions: { workerId: string; moduleId: string; revision: number; completedAt: Date }[] = (
    await db.query(
      param(db, 'SELECT c.worker_id, c.module_id, c.revision, c.completed_at FROM completions c JOIN assignments a ON a.worker_id = c.worker_id AND a.engagement_id = ?'),
      [e],
    )
  ).map((c: { worker_id: string; module_id: string; revision: number; completed_at: string }) => ({
    workerId: c.worker_id,
    moduleId: c.module_id,
    revision: Number(c.revision),
    completedAt: new Date(c.completed_at),
  }));
  const attempts = await db.query(
    param(
      db,
      'SELECT t.worker_id, t.module_id, COUNT(*) AS n, MAX(t.score) AS best FROM attempts t JOIN assignments a ON a.worker_id = t.worker_id AND a.engagement_id = ? GROUP BY t.worker_id, t.module_id',
    ),
    [e],
  );
  const certificates = await db.getRepository(Certificate).find({ where: { engagementId: e }, order: { issuedAt: 'ASC' } });

  const completionsBy = groupBy(completions, (c) => c.workerId);
  const attemptsBy = new Map<string, { n: number; best: number | null }>();
  for (const a of attempts) attemptsBy.set(`${a.worker_id}|${a.module_id}`, { n: Number(a.n), best: a.best === null ? null : Number(a.best) });
  // The newest certificate that is not superseded stands for the worker.
  const certBy = new Map<string, Certificate>();
  for (const c of certificates) if (c.status !== 'superseded') certBy.set(c.workerId, c);

  const deadlinePassed = todayJst(now) >= engagement.startsOn;
  const modulesById = new Map(curriculum.map((id) => [id, content.get(id)]));
  const rows: WorkerRow[] = workers.map((w) => {
    const mine = completionsBy.get(w.id) ?? [];
    const modules = curriculum.map((id) => {
      const done = countingCompletion(mine, modulesById.get(id)!, engagement.certificateValidityDays, now);
      const tried = attemptsBy.get(`${w.id}|${id}`);
      return {
        moduleId: id,
        status: done ? ('completed' as const) : tried ? ('in_progress' as const) : ('not_started' as const),
        revision: done?.revision ?? null,
        attempts: tried?.n ?? 0,
        bestScore: tried?.best ?? null,
        completedAt: done ? done.completedAt.toISOString() : null,
      };
    });
    const cert = certBy.get(w.id);
    const certStatus = cert ? effectiveStatus(cert, now) : null;
    const certified = certStatus === 'valid';
    const status: WorkerStatus = certified
      ? cert!.validUntil.getTime() - now.getTime() <= EXPIRING_DAYS * DAY
        ? 'expiring'
        : 'certified'
      : modules.some((m) => m.status !== 'not_started')
        ? 'in_progress'
        : 'not_started';
    return {
      id: w.id,
      name: w.name,
      employeeNumber: w.employee_number,
      organizationId: w.organization_id,
      status,
      overdue: !certified && deadlinePassed,
      modules,
      certificate: cert
        ? { serial: cert.serial, status: certStatus!, validFrom: cert.validFrom.toISOString(), validUntil: cert.validUntil.toISOString(), modules: cert.modules }
        : null,
    };
  });
  return { engagement, organizations: orgRows, workers: rows };
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    const list = m.get(k);
    if (list) list.push(i);
    else m.set(k, [i]);
  }
  return m;
}

/** `?` placeholders on SQLite, `$n` on PostgreSQL. */
function param(db: DataSource, sql: string): string {
  if (db.options.type !== 'postgres') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
