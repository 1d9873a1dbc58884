import { DataSource, In } from 'typeorm';
import { SubcontractTree } from '../access/subcontract-tree';
import { ContentService } from '../content/content.service';
import type { Certificate } from '../certificates/certificate.entity';
import {
  CertificateStatus,
  effectiveStatus,
  endsWithinRenewalDaysAt,
  standsBefore,
  StoredCertificateStatus,
} from '../certificates/standing';
import { todayJst } from '../common/dates';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Engagement } from '../engagements/engagement.entity';
import { decrypted } from '../database/columns';
import { forEachRow, placeholders, portableSql, queryAll } from '../database/portable-sql';
import { Organization } from '../organizations/organization.entity';
import { countingCompletion, moduleStatus, type ModuleStatus } from '../training/completion-rules';
import { workerStatus, type WorkerStatus } from './worker-status';

export { isCertified, type WorkerStatus } from './worker-status';

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

/** A worker's standing on the engagement, without the per-module detail: enough for totals, filters, order and readiness. */
export interface WorkerSummary {
  id: string;
  name: string;
  organizationId: string;
  status: WorkerStatus;
  overdue: boolean;
  certificate: { serial: string; status: CertificateStatus; validUntil: string } | null;
}

export interface WorkerRow extends WorkerSummary {
  employeeNumber: string | null;
  /** When a reminder (or the invitation again) was last queued for this worker on this engagement (src/mail/reminders.service.ts). */
  lastRemindedAt: string | null;
  modules: {
    moduleId: string;
    status: ModuleStatus;
    revision: number | null;
    attempts: number;
    bestScore: number | null;
    completedAt: string | null;
  }[];
  certificate: { serial: string; status: CertificateStatus; validFrom: string; validUntil: string; modules: Certificate['modules'] } | null;
}

/**
 * Each assigned worker, whether they ever tried a curriculum module (an EXISTS on the (worker_id, module_id)
 * index; every completion belongs to an attempt at the same module, so this covers completed modules too),
 * and each of their certificates on the engagement that can stand for them (not superseded; none, one, or
 * rarely more: the rows of one worker are consecutive), from IDX_certificates_by_worker alone.
 * Chunked (SQLite): the assignments' primary key (engagement_id, worker_id) read `LIMIT ?` workers at a time
 * after the last one read, in a subquery so a worker's certificate rows never straddle two chunks.
 */
const WORKERS_SQL = (modules: number, chunked: boolean) => `
  SELECT w.id, w.name, w.organization_id, CASE WHEN w.enrolled_at IS NULL THEN 0 ELSE 1 END AS enrolled,
    CASE WHEN EXISTS (SELECT 1 FROM attempts t WHERE t.worker_id = w.id AND t.module_id IN (${placeholders(Math.max(1, modules))})) THEN 1 ELSE 0 END AS tried,
    c.serial, c.status, c.valid_until, c.issued_at
  FROM ${chunked ? '(SELECT engagement_id, worker_id FROM assignments WHERE engagement_id = ? AND worker_id > ? ORDER BY worker_id LIMIT ?)' : 'assignments'} a
  JOIN workers w ON w.id = a.worker_id
  LEFT JOIN certificates c ON c.engagement_id = a.engagement_id AND c.worker_id = a.worker_id AND c.status <> 'superseded'
  ${chunked ? '' : 'WHERE a.engagement_id = ?'}
  ORDER BY a.worker_id`;

/**
 * Assigned workers read per statement on SQLite, in the order of the assignments' primary key
 * (engagement_id, worker_id), with a turn of the event loop between two reads. better-sqlite3 reads
 * synchronously and allows no other statement while one is being iterated, so a single pass over
 * 100,000 workers held the loop (and every other request) for over a second; on PostgreSQL the cursor's
 * round trips free the loop already and the pass stays one statement.
 */
export const SQLITE_WORKER_CHUNK = 5_000;

/**
 * Each assigned worker's standing, handed to `each` one at a time as the
 * rows arrive (none of them kept here): totals, filters, a page and the
 * readiness blockers need no list of every worker, so 100,000 workers cost
 * no more memory than a page. The certificate that stands for a worker
 * (standing.ts) is picked among their rows as they go by: no map of every
 * worker's certificates (27 MB at 100,000 workers, issue 17). One statement
 * whatever the number of workers on PostgreSQL; on SQLite it is read
 * SQLITE_WORKER_CHUNK workers at a time.
 * Only workers of the organizations in `peopleOf` (whose people the caller
 * may see: AccessService.trackingScope) are handed on.
 */
export async function forEachWorkerSummary(
  db: DataSource,
  content: ContentService,
  engagement: Engagement,
  peopleOf: ReadonlySet<string>,
  each: (w: WorkerSummary) => void,
  now = new Date(),
): Promise<void> {
  const curriculum = engagement.curriculum.filter((id) => content.has(id));
  const judge = { now, endsSoon: endsWithinRenewalDaysAt(now), deadlinePassed: todayJst(now) >= engagement.startsOn };
  const modules = curriculum.length ? curriculum : [null];
  // One string per organization id, not one per row: whatever a pass keeps of 100,000 workers shares it (issue 17).
  const organizationIds = new Map<string, string>();
  const { row, flush } = withStandingCertificate<WorkerRead>(
    (a, b) => a.id === b.id,
    (r, c) => {
      if (!peopleOf.has(r.organization_id)) return;
      let organizationId = organizationIds.get(r.organization_id);
      if (organizationId === undefined) organizationIds.set(r.organization_id, (organizationId = r.organization_id));
      each(workerSummary(r, organizationId, c, !!Number(r.tried), judge));
    },
  );
  if (db.options.type !== 'better-sqlite3') {
    await forEachRow<WorkerRead>(db, WORKERS_SQL(curriculum.length, false), [...modules, engagement.id], row);
    return flush();
  }
  // SQLite: SQLITE_WORKER_CHUNK workers per statement, after the last one read, a turn of the event loop between.
  const sql = WORKERS_SQL(curriculum.length, true);
  let after = '';
  for (;;) {
    let read = 0;
    await forEachRow<WorkerRead>(db, sql, [...modules, engagement.id, after, SQLITE_WORKER_CHUNK], (r) => {
      if (r.id !== after) read++;
      after = r.id;
      row(r);
    });
    flush();
    if (read < SQLITE_WORKER_CHUNK) return;
    await nextTurn();
  }
}

/** A row of WORKERS_SQL: the worker, and one of their certificates (or nulls). */
interface WorkerRead extends CertificateColumns {
  id: string;
  name: string;
  organization_id: string;
  tried: number | string;
  enrolled: number | string;
}

type StandingRead = { serial: string; status: StoredCertificateStatus; validUntil: string; issuedAt: string };

/** The certificate columns a pass's rows carry beside the worker (all null for a worker without one). */
interface CertificateColumns {
  serial: string | null;
  status: StoredCertificateStatus | null;
  valid_until: string | null;
  issued_at: string | null;
}

/**
 * Rows that list a worker once per certificate that can stand for them, one worker's rows consecutive (a
 * `LEFT JOIN certificates` ordered by worker): hands each worker's first row to `emit` with the certificate
 * that stands for them (standing.ts: `standsBefore`), or null, when the next worker's row comes (`row`)
 * or the rows end (`flush`). No map of every certificate is held (issue 17).
 */
function withStandingCertificate<R extends CertificateColumns>(
  sameWorker: (a: R, b: R) => boolean,
  emit: (r: R, c: StandingRead | null) => void,
): { row: (r: R) => void; flush: () => void } {
  let worker: R | null = null;
  let standing: StandingRead | null = null;
  const flush = (): void => {
    if (worker) emit(worker, standing);
    worker = standing = null;
  };
  const row = (r: R): void => {
    if (!worker || !sameWorker(worker, r)) {
      flush();
      worker = r;
    }
    if (r.serial === null) return;
    const c = { serial: r.serial, status: r.status!, validUntil: r.valid_until!, issuedAt: r.issued_at! };
    if (!standing || standsBefore(c, standing)) standing = c;
  };
  return { row, flush };
}

/**
 * A worker's summary from their row and the certificate that stands for them (or null), at `judge.now`:
 * the certificate's effective status, the worker's status (worker-status.ts), overdue once the engagement's
 * start has passed without a valid certificate.
 */
function workerSummary(
  r: { id: string; name: string; enrolled: number | string },
  organizationId: string,
  c: StandingRead | null,
  tried: boolean,
  judge: { now: Date; endsSoon: (validUntil: string) => boolean; deadlinePassed: boolean },
): WorkerSummary {
  const certStatus = c ? effectiveStatus(c, judge.now) : null;
  const certified = certStatus === 'valid';
  return {
    id: r.id,
    // Encrypted at rest: decrypted here, so sorting by name (tracking.service.ts) happens after decryption.
    name: decrypted('workers.name', r.name),
    organizationId,
    status: workerStatus(certStatus, certified && judge.endsSoon(c!.validUntil), tried, !!Number(r.enrolled)),
    overdue: !certified && judge.deadlinePassed,
    certificate: c ? { serial: c.serial, status: certStatus!, validUntil: c.validUntil } : null,
  };
}

/**
 * `forEachWorkerSummary` for several engagements at once (the home pages' badges and bars): two
 * statements whatever the number of engagements and workers, the certificates joined beside each
 * assignment as in forEachWorkerSummary. `each` gets every assigned worker with
 * `visible` telling whether the caller may see their people (`peopleOf`); the readiness verdict counts
 * the organizations with workers over the whole tree, the bars only what the caller may see.
 */
export async function forEachWorkerSummaryOf(
  db: DataSource,
  content: ContentService,
  engagements: readonly Engagement[],
  peopleOf: ReadonlyMap<string, ReadonlySet<string>>,
  each: (engagementId: string, w: WorkerSummary, visible: boolean) => void,
  now = new Date(),
): Promise<void> {
  if (!engagements.length) return;
  const ids = engagements.map((e) => e.id);
  const inList = placeholders(ids.length);
  const tried = new Set<string>();
  await forEachRow<{ worker_id: string; module_id: string }>(
    db,
    `SELECT DISTINCT t.worker_id, t.module_id FROM attempts t WHERE t.worker_id IN (SELECT a.worker_id FROM assignments a WHERE a.engagement_id IN (${inList}))`,
    ids,
    (r) => tried.add(`${r.worker_id}|${r.module_id}`),
  );
  const byId = new Map(engagements.map((e) => [e.id, { e, curriculum: e.curriculum.filter((id) => content.has(id)) }]));
  const endsSoon = endsWithinRenewalDaysAt(now);
  const today = todayJst(now);
  const { row, flush } = withStandingCertificate<AssignedRead>(
    (a, b) => a.id === b.id && a.engagement_id === b.engagement_id,
    (r, c) => {
      const { e, curriculum } = byId.get(r.engagement_id)!;
      const attempted = curriculum.some((m) => tried.has(`${r.id}|${m}`));
      each(
        e.id,
        workerSummary(r, r.organization_id, c, attempted, { now, endsSoon, deadlinePassed: today >= e.startsOn }),
        peopleOf.get(e.id)?.has(r.organization_id) ?? false,
      );
    },
  );
  // Each assignment with the worker's certificates on that engagement beside it (IDX_certificates_by_worker).
  await forEachRow<AssignedRead>(
    db,
    `SELECT a.engagement_id, w.id, w.name, w.organization_id, CASE WHEN w.enrolled_at IS NULL THEN 0 ELSE 1 END AS enrolled,
       c.serial, c.status, c.valid_until, c.issued_at
     FROM assignments a JOIN workers w ON w.id = a.worker_id
     LEFT JOIN certificates c ON c.engagement_id = a.engagement_id AND c.worker_id = a.worker_id AND c.status <> 'superseded'
     WHERE a.engagement_id IN (${inList})
     ORDER BY a.engagement_id, a.worker_id`,
    ids,
    row,
  );
  flush();
}

/** A row of forEachWorkerSummaryOf's pass: an assignment, its worker, one of their certificates (or nulls). */
interface AssignedRead extends CertificateColumns {
  engagement_id: string;
  id: string;
  name: string;
  organization_id: string;
  enrolled: number | string;
}

/**
 * The organizations with at least one worker assigned to the engagement,
 * whoever may see those workers: readiness judges the whole tree even for a
 * caller who sees only part of its people.
 */
export async function organizationsWithWorkers(db: DataSource, engagementId: string): Promise<Set<string>> {
  const rows = (await db.query(
    portableSql(db, 'SELECT DISTINCT w.organization_id FROM assignments a JOIN workers w ON w.id = a.worker_id WHERE a.engagement_id = ?'),
    [engagementId],
  )) as { organization_id: string }[];
  return new Set(rows.map((r) => r.organization_id));
}

/** One assigned worker's place in the order (a progress cursor's anchor), or null. */
export async function findAssignedWorker(
  db: DataSource,
  engagementId: string,
  workerId: string,
): Promise<Pick<WorkerSummary, 'id' | 'name' | 'organizationId'> | null> {
  const [w] = (await db.query(
    portableSql(
      db,
      'SELECT w.id, w.name, w.organization_id FROM assignments a JOIN workers w ON w.id = a.worker_id WHERE a.engagement_id = ? AND a.worker_id = ?',
    ),
    [engagementId, workerId],
  )) as { id: string; name: string; organization_id: string }[];
  return w ? { id: w.id, name: decrypted('workers.name', w.name), organizationId: w.organization_id } : null;
}

/** The organizations of the tree the caller may see, with their tier and approval. */
export async function loadOrganizationRows(db: DataSource, tree: SubcontractTree, orgIds: string[]): Promise<OrgRow[]> {
  const orgs = new Map((orgIds.length ? await db.getRepository(Organization).findBy({ id: In(orgIds) }) : []).map((o) => [o.id, o]));
  return orgIds.map((id) => {
    const link = tree.link(id);
    return {
      id,
      name: orgs.get(id)!.name,
      tier: tree.tier(id),
      parentOrganizationId: link?.parentOrganizationId ?? null,
      status: link ? link.status : 'prime',
      decidedOn: link?.decidedOn ?? null,
      reference: link?.reference ?? null,
    };
  });
}

/** A certificate's detail the Article 11 report lists: when it became valid and the modules it attests, by serial. */
export async function loadCertificateDetails(
  db: DataSource,
  serials: string[],
): Promise<Map<string, { validFrom: string; modules: Certificate['modules'] }>> {
  if (!serials.length) return new Map();
  const rows = await queryAll<{ serial: string; valid_from: string; modules: string }>(
    db,
    `SELECT serial, valid_from, modules FROM certificates WHERE serial IN (${placeholders(serials.length)})`,
    serials,
  );
  return new Map(rows.map((r) => [r.serial, { validFrom: r.valid_from, modules: JSON.parse(r.modules) as Certificate['modules'] }]));
}

/**
 * The detail of some workers: each module's status, attempts, best score
 * and completion, the employee number and the certificate's modules, by id
 * in four statements: a page of progress, or a page of an export (the CSV and
 * the Article 11 report read every worker this way, a page at a time:
 * TrackingService.exportRows).
 */
export async function loadWorkerRows(
  db: DataSource,
  content: ContentService,
  engagement: Engagement,
  workers: WorkerSummary[],
  now = new Date(),
): Promise<WorkerRow[]> {
  const ids = workers.map((w) => w.id);
  const serials = workers.flatMap((w) => (w.certificate ? [w.certificate.serial] : []));
  // An empty list still runs the statements (IN (NULL) matches nothing): the same statements whatever the page.
  const list = (values: string[]): [string, unknown[]] => [placeholders(Math.max(1, values.length)), values.length ? values : [null]];
  const [idIn, idParams] = list(ids);
  const [serialIn, serialParams] = list(serials);
  // Kept prepared statements on SQLite (queryAll): an export reads these page after page with the same text.
  const completionRows = await queryAll<{ worker_id: string; module_id: string; revision: number; completed_at: string }>(
    db,
    `SELECT c.worker_id, c.module_id, c.revision, c.completed_at FROM completions c WHERE c.worker_id IN (${idIn})`,
    idParams,
  );
  const attempts = await queryAll<{ worker_id: string; module_id: string; n: number | string; best: number | string | null }>(
    db,
    `SELECT t.worker_id, t.module_id, COUNT(*) AS n, MAX(t.score) AS best FROM attempts t WHERE t.worker_id IN (${idIn}) GROUP BY t.worker_id, t.module_id`,
    idParams,
  );
  const certificates = await queryAll<{ serial: string; valid_from: string; modules: string }>(
    db,
    `SELECT serial, valid_from, modules FROM certificates WHERE serial IN (${serialIn})`,
    serialParams,
  );
  const employeeNumbers = await queryAll<{ id: string; employee_number: string | null; last_reminded_at: string | null }>(
    db,
    `SELECT w.id, w.employee_number, a.last_reminded_at FROM workers w JOIN assignments a ON a.worker_id = w.id AND a.engagement_id = ? WHERE w.id IN (${idIn})`,
    [engagement.id, ...idParams],
  );

  const curriculum = engagement.curriculum.filter((id) => content.has(id));
  const completionsBy = groupBy(
    completionRows.map((c) => ({
      workerId: c.worker_id,
      moduleId: c.module_id,
      revision: Number(c.revision),
      completedAt: new Date(c.completed_at),
    })),
    (c) => c.workerId,
  );
  const attemptsBy = new Map<string, { n: number; best: number | null }>();
  for (const a of attempts)
    attemptsBy.set(`${a.worker_id}|${a.module_id}`, { n: Number(a.n), best: a.best === null ? null : Number(a.best) });
  const certificateOf = new Map(certificates.map((c) => [c.serial, c]));
  const employeeNumberOf = new Map(employeeNumbers.map((w) => [w.id, decrypted('workers.employee_number', w.employee_number)]));
  const remindedOf = new Map(employeeNumbers.map((w) => [w.id, w.last_reminded_at]));
  const modulesById = new Map(curriculum.map((id) => [id, content.get(id)]));
  return workers.map((w) => {
    const mine = completionsBy.get(w.id) ?? [];
    const modules = curriculum.map((id) => {
      const done = countingCompletion(mine, modulesById.get(id)!, engagement.certificateValidityDays, now);
      const tried = attemptsBy.get(`${w.id}|${id}`);
      return {
        moduleId: id,
        status: moduleStatus(done, !!tried),
        revision: done?.revision ?? null,
        attempts: tried?.n ?? 0,
        bestScore: tried?.best ?? null,
        completedAt: done ? done.completedAt.toISOString() : null,
      };
    });
    const c = w.certificate && certificateOf.get(w.certificate.serial);
    return {
      ...w,
      employeeNumber: employeeNumberOf.get(w.id) ?? null,
      lastRemindedAt: remindedOf.get(w.id) ?? null,
      modules,
      certificate: w.certificate
        ? { ...w.certificate, validFrom: c ? c.valid_from : '', modules: c ? (JSON.parse(c.modules) as Certificate['modules']) : [] }
        : null,
    };
  });
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
