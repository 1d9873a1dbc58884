/*
 * The baseline: what the same requests cost without the framework. A bare
 * node:http server on the same SQLite file with better-sqlite3, the same
 * pragmas as the service (WAL, synchronous=NORMAL, foreign keys, busy
 * timeout), hand-written prepared statements, and the same JSON answers
 * (same headers, same fields) at the same URLs, so one client drives both.
 *
 * Routes:
 *   GET  /api/v1/certificates/:serial              one indexed join, JSON facts
 *   GET  /api/v1/certificates/:serial/credential   the stored JWS
 *   POST /api/v1/modules/:id/attempts              quiz start: the service's reads and write
 *   POST /api/v1/attempts/:id/submission           quiz submission: grading, audit event, completion, issuance check
 *   GET  /api/v1/engagements/:id/progress          SQL aggregate (totals) + the first page's details
 *   GET  /api/v1/engagements/:id/readiness         SQL aggregate (totals) + SQL-filtered blockers
 *   POST /api/v1/organizations/:id/workers/import  CSV parsed by hand, written in one transaction
 *
 * Environment: BENCH_DB (SQLite file), PORT, HOST (127.0.0.1), CONTENT_DIR.
 * Only the paths the benchmark drives are handled; this is not a second product.
 */
import Database from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { stringify } from 'csv-stringify/sync';
import { resolve } from 'node:path';
import { SubcontractTree } from '../../src/access/subcontract-tree';
import { canonicalJson, eventHash, GENESIS_HASH } from '../../src/audit/audit-hash';
import { parseSerial } from '../../src/certificates/credential/serial';
import { entityTag } from '../../src/common/http/conditional';
import {
  attestsCurriculum,
  coolingDown,
  DAY,
  draw,
  gradeSitting,
  HttpError,
  type IssuanceFacts,
  MAX_FAILURES,
  publicFactsBody,
  SECURITY_HEADERS,
  send,
  sittingView,
  startBody,
  submissionBody,
  UUID,
} from './common';
import fresh from 'fresh';
import { loadContent } from '../../src/content/content-loader';
import { issueEnrollmentCode } from '../../src/auth/tokens';
import { dataKey, DataKeyRing } from '../../src/common/crypto/field-cipher';
import { placeholders } from '../../src/database/portable-sql';
import { mailLinks } from '../../src/mail/links';
import { MailRenderer } from '../../src/mail/mail-renderer';

const BASE_URL = `http://127.0.0.1:${process.env.PORT}`;

const db = new Database(process.env.BENCH_DB!, { timeout: 5000 });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
const modules = new Map(loadContent(process.env.CONTENT_DIR ?? resolve(__dirname, '../../content')).modules.map((m) => [m.id, m]));

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
};
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) fail(new HttpError(413, 'Request body is too large'));
      else chunks.push(c);
    });
    req.on('end', () => ok(Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

// ---- sessions --------------------------------------------------------------

interface User {
  id: string;
  role: string;
  municipality_id: string | null;
  organization_id: string | null;
  worker_id: string | null;
}
const sessionStmt = db.prepare(
  `SELECT s.expires_at, s.revoked_at, u.id, u.role, u.display_name, u.email, u.municipality_id, u.organization_id, u.worker_id
   FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`,
);
function user(req: IncomingMessage, ...roles: string[]): User {
  const h = req.headers.authorization;
  if (!h?.startsWith('Bearer ')) throw new HttpError(401, 'Sign-in required');
  const row = sessionStmt.get(createHash('sha256').update(h.slice(7).trim()).digest('hex')) as
    (User & { expires_at: string; revoked_at: string | null }) | undefined;
  if (!row || row.revoked_at || new Date(row.expires_at) <= new Date()) throw new HttpError(401, 'Session expired or signed out');
  if (!roles.includes(row.role)) throw new HttpError(403, 'Your role may not do this');
  return row;
}

// ---- certificates ------------------------------------------------------------

/** The public facts from the certificate's own row (the columns written at issuance): one read by serial, no join. */
const factsStmt = db.prepare(
  `SELECT serial, status, valid_from, valid_until, revoked_at, engagement_title, municipality_name, organization_name, holder_masked_name
   FROM certificates WHERE serial = ?`,
);
const credentialStmt = db.prepare("SELECT jws AS credential FROM certificate_credentials WHERE serial = ? AND form = 'public.vc'");

function canonical(serial: string): string {
  const p = parseSerial(decodeURIComponent(serial));
  if (!p.ok)
    throw new HttpError(400, p.reason === 'checksum' ? 'This serial has a typing mistake' : 'A serial looks like XXXX-XXXX-XXXX-X');
  return p.serial;
}

type Answer = [number, string, string?, Record<string, string>?];

/** A 200 with its ETag and caching headers, or a 304 when the request names the ETag (the same rules as the service). */
function cacheable(req: IncomingMessage, body: string, type: string, cacheControl: string, vary: string): Answer {
  const etag = entityTag(body);
  const headers = { etag, 'cache-control': cacheControl, vary };
  return fresh(req.headers, { etag }) ? [304, '', type, headers] : [200, body, type, headers];
}

function certificateFacts(req: IncomingMessage, serial: string): Answer {
  const c = factsStmt.get(canonical(serial)) as Record<string, string> | undefined;
  if (!c) throw new HttpError(404, 'No certificate with this serial');
  const body = publicFactsBody(c);
  return cacheable(req, body, 'application/json; charset=utf-8', 'public, max-age=300', 'Authorization, Cookie');
}

function credential(req: IncomingMessage, serial: string): Answer {
  const row = credentialStmt.get(canonical(serial)) as { credential: string } | undefined;
  if (!row) throw new HttpError(404, 'No certificate with this serial');
  return cacheable(req, row.credential, 'application/vc+jwt', 'public, max-age=31536000, immutable', 'Accept');
}

// ---- quiz ---------------------------------------------------------------------

const visibleEngagement = db.prepare(
  'SELECT * FROM engagements e WHERE e.id = ? AND EXISTS (SELECT 1 FROM assignments sa WHERE sa.engagement_id = e.id AND sa.worker_id = ?)',
);
const recentFailures = db.prepare(
  'SELECT passed, submitted_at FROM attempts WHERE worker_id = ? AND module_id = ? AND submitted_at IS NOT NULL ORDER BY submitted_at DESC LIMIT ?',
);
const insertAttempt = db.prepare(
  `INSERT INTO attempts (id, worker_id, engagement_id, module_id, revision, content_hash, pass_mark, questions, started_at, expires_at, submitted_at, answers, score, passed)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)`,
);
const ownAttempt = db.prepare('SELECT * FROM attempts WHERE id = ? AND worker_id = ?');
const attemptById = db.prepare('SELECT * FROM attempts WHERE id = ?');
const recordResult = db.prepare(
  'UPDATE attempts SET submitted_at = ?, answers = ?, score = ?, passed = ? WHERE id = ? AND submitted_at IS NULL',
);
const lastEvent = db.prepare('SELECT id, seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
const insertEvent = db.prepare(
  `INSERT INTO audit_events (id, seq, occurred_at, actor_id, actor_role, action, target_type, target_id, engagement_id, details, prev_hash, hash)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const insertCompletion = db.prepare(
  'INSERT INTO completions (id, worker_id, module_id, revision, content_hash, score, attempt_id, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
);
const workerAssignments = db.prepare(
  'SELECT a.engagement_id, a.worker_id, w.organization_id FROM assignments a JOIN workers w ON w.id = a.worker_id WHERE a.worker_id = ?',
);
const engagementById = db.prepare('SELECT * FROM engagements WHERE id = ?');
const linksOf = db.prepare('SELECT organization_id, parent_organization_id, status, tier FROM subcontract_links WHERE engagement_id = ?');
const completionsOf = db.prepare('SELECT module_id, revision, completed_at FROM completions WHERE worker_id = ?');
const validCertificates = db.prepare(
  "SELECT id, engagement_id, valid_until, modules FROM certificates WHERE worker_id = ? AND status = 'valid'",
);

const inTransaction = <T>(work: () => T): T => db.transaction(work)();

function startAttempt(req: IncomingMessage, moduleId: string, body: Buffer): [number, string] {
  const u = user(req, 'worker');
  const engagementId = startBody(body.toString('utf8'));
  const e = visibleEngagement.get(engagementId, u.worker_id) as { id: string; curriculum: string; pass_mark: number | null } | undefined;
  if (!e) throw new HttpError(404, 'Engagement not found');
  const m = modules.get(moduleId);
  if (!m) throw new HttpError(404, `Module ${moduleId} not found`);
  if (!(JSON.parse(e.curriculum) as string[]).includes(moduleId))
    throw new HttpError(409, "This module is not part of the engagement's curriculum");
  if (coolingDown(recentFailures.all(u.worker_id, moduleId, MAX_FAILURES) as { passed: number; submitted_at: string }[]))
    throw new HttpError(429, 'cooling down');
  const now = Date.now();
  const questions = draw(m);
  const id = randomUUID();
  const startedAt = new Date(now).toISOString();
  const expiresAt = new Date(now + m.timeLimitMinutes * 60_000).toISOString();
  inTransaction(() =>
    insertAttempt.run(
      id,
      u.worker_id,
      e.id,
      m.id,
      m.revision,
      m.contentHash,
      e.pass_mark ?? m.passMark,
      JSON.stringify(questions),
      startedAt,
      expiresAt,
    ),
  );
  return [201, sittingView(id, m, e.id, questions, startedAt, expiresAt)];
}

function appendEvent(
  actor: User | null,
  action: string,
  targetType: string,
  targetId: string,
  engagementId: string | null,
  details: Record<string, unknown>,
) {
  const last = lastEvent.get() as { seq: number; hash: string } | undefined;
  const fields = {
    id: randomUUID(),
    seq: (last?.seq ?? 0) + 1,
    occurredAt: new Date().toISOString(),
    actorId: actor?.id ?? null,
    actorRole: actor?.role ?? 'system',
    action,
    targetType,
    targetId,
    engagementId,
    details: canonicalJson(details),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  insertEvent.run(
    fields.id,
    fields.seq,
    fields.occurredAt,
    fields.actorId,
    fields.actorRole,
    action,
    targetType,
    targetId,
    engagementId,
    fields.details,
    fields.prevHash,
    eventHash(fields),
  );
}

/** Would a certificate be due now? The same reads as the service's issuance check; issuing itself is not on this path. */
function certificateDue(workerId: string, engagementId: string): { serial: string } | null {
  const now = Date.now();
  const completions = completionsOf.all(workerId) as { module_id: string; revision: number; completed_at: string }[];
  const held = validCertificates.all(workerId) as { engagement_id: string; valid_until: string; modules: string }[];
  for (const a of workerAssignments.all(workerId) as { engagement_id: string; organization_id: string }[]) {
    const e = engagementById.get(a.engagement_id) as {
      id: string;
      prime_organization_id: string;
      curriculum: string;
      certificate_validity_days: number;
    };
    const complete = attestsCurriculum(
      { engagement: e, links: linksOf.all(e.id) as IssuanceFacts['links'], completions },
      a.organization_id,
      modules,
      now,
    );
    if (complete && !held.some((c) => c.engagement_id === e.id)) throw new HttpError(500, 'the benchmark never completes a curriculum');
  }
  void engagementId;
  return null;
}

function submit(req: IncomingMessage, attemptId: string, body: Buffer): [number, string] {
  const u = user(req, 'worker');
  if (!UUID.test(attemptId)) throw new HttpError(400, 'Validation failed (uuid is expected)');
  const answers = submissionBody(body.toString('utf8'));
  if (!ownAttempt.get(attemptId, u.worker_id)) throw new HttpError(404, 'Attempt not found');
  return inTransaction(() => {
    const a = attemptById.get(attemptId) as {
      worker_id: string;
      engagement_id: string;
      module_id: string;
      revision: number;
      content_hash: string;
      pass_mark: number;
      questions: string;
      expires_at: string;
      submitted_at: string | null;
    };
    if (a.submitted_at) throw new HttpError(409, 'This attempt was already submitted');
    const now = new Date();
    if (now.toISOString() > a.expires_at) throw new HttpError(409, 'The time limit of this attempt has passed; start a new one');
    const { results, score, passed, stored } = gradeSitting(a.questions, answers, a.pass_mark);
    const at = now.toISOString();
    if (recordResult.run(at, JSON.stringify(stored), score, passed ? 1 : 0, attemptId).changes === 0)
      throw new HttpError(409, 'This attempt was already submitted');
    appendEvent(u, 'attempt.submitted', 'attempt', attemptId, a.engagement_id, {
      moduleId: a.module_id,
      revision: a.revision,
      score,
      passed,
    });
    let certificate: { serial: string } | null = null;
    if (passed) {
      insertCompletion.run(randomUUID(), a.worker_id, a.module_id, a.revision, a.content_hash, score, attemptId, at);
      certificate = certificateDue(a.worker_id, a.engagement_id);
    }
    return [200, JSON.stringify({ attemptId, moduleId: a.module_id, score, passed, passMark: a.pass_mark, results, certificate })] as [
      number,
      string,
    ];
  });
}

// ---- tracking ----------------------------------------------------------------

const staffEngagement = db.prepare('SELECT * FROM engagements WHERE id = ? AND municipality_id = ?');
const organizationsOf = db.prepare(
  'SELECT id, name FROM organizations WHERE id = ? OR id IN (SELECT organization_id FROM subcontract_links WHERE engagement_id = ?)',
);
const linksFull = db.prepare(
  'SELECT organization_id, parent_organization_id, tier, status, decided_on, reference FROM subcontract_links WHERE engagement_id = ?',
);

/**
 * Each assigned worker's status, computed in SQL: the newest non-superseded
 * certificate per worker (one range scan of the covering certificate index,
 * grouped), else any attempt at a curriculum module (the (worker_id,
 * module_id) index).
 */
const STATUS_CTE = `
  newest AS MATERIALIZED (
    SELECT worker_id, status, valid_until, serial, MAX(issued_at) AS issued_at
    FROM certificates INDEXED BY IDX_certificates_standing
    WHERE engagement_id = :e AND status <> 'superseded'
    GROUP BY worker_id),
  ws AS (
    SELECT w.id, w.name, w.organization_id, n.status AS cert_status, n.valid_until, n.serial,
      CASE
        WHEN n.status = 'valid' AND n.valid_until > :now THEN CASE WHEN n.valid_until <= :soon THEN 'expiring' ELSE 'certified' END
        WHEN EXISTS (SELECT 1 FROM attempts t WHERE t.worker_id = w.id AND t.module_id IN (SELECT value FROM json_each(:curriculum))) THEN 'in_progress'
        WHEN w.enrolled_at IS NULL THEN 'not_enrolled'
        ELSE 'not_started'
      END AS status
    FROM assignments a
    JOIN workers w ON w.id = a.worker_id
    LEFT JOIN newest n ON n.worker_id = a.worker_id
    WHERE a.engagement_id = :e)`;
const totalsStmt = db.prepare(`WITH ${STATUS_CTE} SELECT status, COUNT(*) AS n FROM ws GROUP BY status`);
const blockersStmt = db.prepare(
  `WITH ${STATUS_CTE} SELECT ws.*, o.name AS org_name FROM ws JOIN organizations o ON o.id = ws.organization_id
   WHERE ws.status NOT IN ('certified', 'expiring') OR ws.valid_until < :end`,
);
const orgHasWorkers = db.prepare(
  'SELECT 1 FROM assignments a JOIN workers w ON w.id = a.worker_id WHERE a.engagement_id = ? AND w.organization_id = ? LIMIT 1',
);
const pageStmt = db.prepare(
  `WITH pos(org_id, p) AS MATERIALIZED (SELECT key, value FROM json_each(:positions))
   SELECT w.id, w.name, w.employee_number, w.organization_id, w.enrolled_at, pos.p FROM pos JOIN workers w ON w.organization_id = pos.org_id JOIN assignments a ON a.engagement_id = :e AND a.worker_id = w.id
   ORDER BY pos.p, w.name, w.id LIMIT :limit`,
);
const pageCompletions = db.prepare(
  'SELECT worker_id, module_id, revision, completed_at FROM completions WHERE worker_id IN (SELECT value FROM json_each(?))',
);
const pageAttempts = db.prepare(
  'SELECT worker_id, module_id, COUNT(*) AS n, MAX(score) AS best FROM attempts WHERE worker_id IN (SELECT value FROM json_each(?)) GROUP BY worker_id, module_id',
);
const pageCertificates = db.prepare(
  "SELECT * FROM certificates WHERE engagement_id = ? AND status <> 'superseded' AND worker_id IN (SELECT value FROM json_each(?)) ORDER BY issued_at",
);

function trackingContext(req: IncomingMessage, engagementId: string) {
  const u = user(req, 'town_staff');
  const e = staffEngagement.get(engagementId, u.municipality_id) as
    | {
        id: string;
        title: string;
        starts_on: string;
        ends_on: string;
        curriculum: string;
        prime_organization_id: string;
        certificate_validity_days: number;
      }
    | undefined;
  if (!e) throw new HttpError(404, 'Engagement not found');
  const links = (
    linksFull.all(e.id) as {
      organization_id: string;
      parent_organization_id: string;
      tier: number;
      status: 'approved';
      decided_on: string | null;
      reference: string | null;
    }[]
  ).map((l) => ({
    organizationId: l.organization_id,
    parentOrganizationId: l.parent_organization_id,
    tier: l.tier,
    status: l.status,
    decidedOn: l.decided_on,
    reference: l.reference,
  }));
  const tree = new SubcontractTree(e.prime_organization_id, links);
  const names = new Map((organizationsOf.all(e.prime_organization_id, e.id) as { id: string; name: string }[]).map((o) => [o.id, o.name]));
  const organizations = tree.all().map((id) => {
    const l = tree.link(id);
    return {
      id,
      name: names.get(id)!,
      tier: tree.tier(id),
      parentOrganizationId: l?.parentOrganizationId ?? null,
      status: l ? l.status : 'prime',
      decidedOn: l?.decidedOn ?? null,
      reference: l?.reference ?? null,
    };
  });
  const curriculum = (JSON.parse(e.curriculum) as string[]).filter((id) => modules.has(id));
  const now = Date.now();
  const params = {
    e: e.id,
    curriculum: JSON.stringify(curriculum),
    now: new Date(now).toISOString(),
    soon: new Date(now + 30 * DAY).toISOString(),
  };
  const counts = { assigned: 0, certified: 0, expiring: 0, inProgress: 0, notStarted: 0, notEnrolled: 0, overdue: 0 };
  for (const r of totalsStmt.all(params) as { status: string; n: number }[]) {
    counts.assigned += r.n;
    if (r.status === 'certified' || r.status === 'expiring') counts.certified += r.n;
    if (r.status === 'expiring') counts.expiring += r.n;
    if (r.status === 'in_progress') counts.inProgress += r.n;
    if (r.status === 'not_started') counts.notStarted += r.n;
    if (r.status === 'not_enrolled') counts.notEnrolled += r.n;
  }
  const deadlinePassed = new Date(now + 9 * 3600_000).toISOString().slice(0, 10) >= e.starts_on;
  if (deadlinePassed) counts.overdue = counts.inProgress + counts.notStarted + counts.notEnrolled;
  return { e, organizations, curriculum, params, counts, deadlinePassed, now };
}

function progress(req: IncomingMessage, engagementId: string, limit: number): string {
  const { e, organizations, curriculum, params, counts, deadlinePassed, now } = trackingContext(req, engagementId);
  const order = [...organizations].sort((a, b) => a.tier - b.tier || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const positions = Object.fromEntries(order.map((o, i) => [o.id, i]));
  const page = pageStmt.all({ e: e.id, positions: JSON.stringify(positions), limit: limit + 1 }) as {
    id: string;
    name: string;
    employee_number: string | null;
    organization_id: string;
    enrolled_at: string | null;
    p: number;
  }[];
  const more = page.length > limit;
  const rows = page.slice(0, limit);
  const ids = JSON.stringify(rows.map((w) => w.id));
  const completions = pageCompletions.all(ids) as { worker_id: string; module_id: string; revision: number; completed_at: string }[];
  const attempts = new Map(
    (pageAttempts.all(ids) as { worker_id: string; module_id: string; n: number; best: number | null }[]).map((a) => [
      `${a.worker_id}|${a.module_id}`,
      a,
    ]),
  );
  const certs = new Map((pageCertificates.all(e.id, ids) as Record<string, string>[]).map((c) => [c.worker_id, c]));
  const since = new Date(now - e.certificate_validity_days * DAY).toISOString();
  const byOrg = new Map<string, unknown[]>();
  for (const w of rows) {
    const mods = curriculum.map((id) => {
      const min = modules.get(id)!.minimumRevision;
      let done: (typeof completions)[number] | undefined;
      for (const c of completions)
        if (
          c.worker_id === w.id &&
          c.module_id === id &&
          c.revision >= min &&
          c.completed_at > since &&
          (!done || c.completed_at > done.completed_at)
        )
          done = c;
      const tried = attempts.get(`${w.id}|${id}`);
      return {
        moduleId: id,
        status: done ? 'completed' : tried ? 'in_progress' : 'not_started',
        revision: done?.revision ?? null,
        attempts: tried?.n ?? 0,
        bestScore: tried?.best ?? null,
        completedAt: done?.completed_at ?? null,
      };
    });
    const c = certs.get(w.id);
    const certStatus = c ? (c.status === 'valid' && c.valid_until <= params.now ? 'expired' : c.status) : null;
    const certified = certStatus === 'valid';
    const status = certified
      ? c!.valid_until <= params.soon
        ? 'expiring'
        : 'certified'
      : mods.some((m) => m.status !== 'not_started')
        ? 'in_progress'
        : w.enrolled_at === null
          ? 'not_enrolled'
          : 'not_started';
    const list = byOrg.get(w.organization_id) ?? [];
    list.push({
      id: w.id,
      name: w.name,
      employeeNumber: w.employee_number,
      organizationId: w.organization_id,
      status,
      overdue: !certified && deadlinePassed,
      modules: mods,
      certificate: c
        ? { serial: c.serial, status: certStatus, validFrom: c.valid_from, validUntil: c.valid_until, modules: JSON.parse(c.modules) }
        : null,
    });
    byOrg.set(w.organization_id, list);
  }
  const last = rows[rows.length - 1];
  return JSON.stringify({
    engagement: { id: e.id, title: e.title, startsOn: e.starts_on, endsOn: e.ends_on, curriculum: JSON.parse(e.curriculum) },
    organizations: organizations.map((o) => ({ ...o, workers: byOrg.get(o.id) ?? [] })),
    totals: counts,
    nextCursor:
      more && last ? Buffer.from(JSON.stringify([`${String(last.p).padStart(5, '0')}|${last.name}`, last.id])).toString('base64url') : null,
  });
}

function readiness(req: IncomingMessage, engagementId: string): string {
  const { e, organizations, params, counts, deadlinePassed } = trackingContext(req, engagementId);
  const end = new Date(`${e.ends_on}T23:59:59+09:00`).toISOString();
  const blockers: Record<string, unknown>[] = [];
  if (!counts.assigned) blockers.push({ type: 'no_workers_assigned' });
  const withWorkers = (id: string) => !!orgHasWorkers.get(e.id, id);
  for (const o of organizations)
    if (o.status === 'pending_approval' || (o.status === 'rejected' && withWorkers(o.id)))
      blockers.push({ type: 'subcontractor_not_approved', organizationId: o.id, organizationName: o.name, tier: o.tier, status: o.status });
  for (const w of blockersStmt.all({ ...params, end }) as {
    id: string;
    name: string;
    organization_id: string;
    org_name: string;
    status: string;
    cert_status: string | null;
    valid_until: string;
    serial: string;
  }[]) {
    const who = { organizationId: w.organization_id, organizationName: w.org_name, workerId: w.id, workerName: w.name };
    if (w.status !== 'certified' && w.status !== 'expiring') {
      const certificateStatus = w.cert_status === 'valid' && w.valid_until <= params.now ? 'expired' : w.cert_status;
      blockers.push({ type: 'worker_not_certified', ...who, progress: w.status, overdue: deadlinePassed, certificateStatus });
    } else
      blockers.push({ type: 'certificate_expires_before_end', ...who, serial: w.serial, validUntil: w.valid_until, endsOn: e.ends_on });
  }
  const byType: Record<string, number> = {};
  for (const b of blockers) byType[b.type as string] = (byType[b.type as string] ?? 0) + 1;
  return JSON.stringify({
    engagementId,
    ready: blockers.length === 0,
    checkedAt: new Date().toISOString(),
    startsOn: e.starts_on,
    endsOn: e.ends_on,
    counts: { ...counts, organizations: organizations.length, blockers: blockers.length, blockersByType: byType },
    blockers,
  });
}

// ---- exports: the progress CSV and the Article 11 report, streamed -------------------

/** Tree order (tier, then name) as positions, for ORDER BY. */
function positionsOf(organizations: { id: string; tier: number; name: string }[]): string {
  const order = [...organizations].sort((a, b) => a.tier - b.tier || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return JSON.stringify(Object.fromEntries(order.map((o, i) => [o.id, i])));
}

/** Every assigned worker in tree order with what the CSV shows: status, certificate, and each module's attempts and counting completion. */
const exportStmt = db.prepare(
  `WITH ${STATUS_CTE}, pos(org_id, p) AS MATERIALIZED (SELECT key, value FROM json_each(:positions))
   SELECT ws.id, ws.name, ws.organization_id, ws.status, ws.cert_status, ws.valid_until, ws.serial, w.employee_number,
     (SELECT json_group_object(module_id, best) FROM (SELECT t.module_id, MAX(t.score) AS best FROM attempts t WHERE t.worker_id = ws.id GROUP BY t.module_id)) AS tries,
     (SELECT json_group_array(DISTINCT c.module_id) FROM completions c JOIN json_each(:mins) m ON m.key = c.module_id
      WHERE c.worker_id = ws.id AND c.revision >= m.value AND c.completed_at > :since) AS done
   FROM ws JOIN pos ON pos.org_id = ws.organization_id JOIN workers w ON w.id = ws.id
   ORDER BY pos.p, ws.name, ws.id`,
);
const certifiedStmt = db.prepare(
  `WITH ${STATUS_CTE}, pos(org_id, p) AS MATERIALIZED (SELECT key, value FROM json_each(:positions))
   SELECT ws.id, ws.name, ws.organization_id, c.serial, c.valid_from, c.valid_until, c.modules
   FROM ws JOIN pos ON pos.org_id = ws.organization_id JOIN certificates c ON c.serial = ws.serial
   WHERE ws.status IN ('certified', 'expiring')
   ORDER BY pos.p, ws.name, ws.id`,
);
const perOrganizationStmt = db.prepare(
  `WITH ${STATUS_CTE} SELECT organization_id, COUNT(*) AS assigned, SUM(status IN ('certified', 'expiring')) AS certified FROM ws GROUP BY organization_id`,
);
const WORDS: Record<string, string> = {
  prime: '元請',
  approved: '承認済み',
  pending_approval: '承認待ち',
  rejected: '不承認',
  not_started: '未着手',
  not_enrolled: '未登録',
  in_progress: '受講中',
  completed: '修了',
  certified: '修了証あり',
  expiring: '修了証あり（30日以内に期限切れ）',
  valid: '有効',
  expired: '期限切れ',
  revoked: '取消し',
  superseded: '更新済み',
};
const CSV_OPTIONS = { record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const;

/** Writes, waiting for the socket to drain when its buffer is full (what a stream's pipe does). */
async function write(res: ServerResponse, chunk: string): Promise<void> {
  if (!res.write(chunk)) await once(res, 'drain');
}

async function progressCsv(req: IncomingMessage, res: ServerResponse, engagementId: string): Promise<void> {
  const { e, organizations, curriculum, params, deadlinePassed, now } = trackingContext(req, engagementId);
  const orgs = new Map(organizations.map((o) => [o.id, o]));
  const mins = JSON.stringify(Object.fromEntries(curriculum.map((id) => [id, modules.get(id)!.minimumRevision])));
  const since = new Date(now - e.certificate_validity_days * DAY).toISOString();
  inTransaction(() => appendEvent(null, 'export.downloaded', 'engagement', e.id, e.id, { kind: 'progress_csv' }));
  res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'cache-control': 'no-store', 'x-request-id': randomUUID() });
  const header = [
    '組織',
    '階層',
    '承認状況',
    '氏名',
    '社員番号',
    '状況',
    '期限超過',
    '修了数',
    '必須数',
    '修了証番号',
    '修了証の状態',
    '修了証の有効期限',
  ];
  await write(res, '\uFEFF' + stringify([[...header, ...curriculum.map((id) => modules.get(id)!.title.ja)]], CSV_OPTIONS));
  let batch: unknown[][] = [];
  for (const r of exportStmt.iterate({ ...params, positions: positionsOf(organizations), mins, since }) as IterableIterator<{
    name: string;
    organization_id: string;
    status: string;
    cert_status: string | null;
    valid_until: string | null;
    serial: string | null;
    employee_number: string | null;
    tries: string;
    done: string;
  }>) {
    const o = orgs.get(r.organization_id)!;
    const tries = JSON.parse(r.tries) as Record<string, number | null>;
    const done = new Set(JSON.parse(r.done) as string[]);
    const certified = r.status === 'certified' || r.status === 'expiring';
    const certStatus = r.cert_status === 'valid' && r.valid_until! <= params.now ? 'expired' : r.cert_status;
    batch.push([
      o.name,
      o.tier,
      WORDS[o.status],
      r.name,
      r.employee_number,
      WORDS[r.status],
      !certified && deadlinePassed ? '期限超過' : '',
      done.size,
      curriculum.length,
      r.serial,
      certStatus ? WORDS[certStatus] : '',
      r.valid_until?.slice(0, 10),
      ...curriculum.map((id) => (done.has(id) ? `修了 (${tries[id] ?? ''})` : id in tries ? '受講中' : '未着手')),
    ]);
    if (batch.length === 1000) {
      await write(res, stringify(batch, CSV_OPTIONS));
      batch = [];
    }
  }
  if (batch.length) await write(res, stringify(batch, CSV_OPTIONS));
  res.end();
}

/** The Article 11 report's parts before the certified workers (the totals, each organization's counts, the engagement). */
function reportHead(req: IncomingMessage, engagementId: string) {
  const ctx = trackingContext(req, engagementId);
  const { e, organizations, counts, deadlinePassed } = ctx;
  const perOrg = new Map(
    (perOrganizationStmt.all(ctx.params) as { organization_id: string; assigned: number; certified: number }[]).map((r) => [
      r.organization_id,
      r,
    ]),
  );
  const m = db
    .prepare('SELECT name, code FROM municipalities WHERE id = (SELECT municipality_id FROM engagements WHERE id = ?)')
    .get(e.id) as {
    name: string;
    code: string;
  };
  const names = new Map(organizations.map((o) => [o.id, o.name]));
  const rest = {
    kind: 'article11-compliance-report',
    generatedAt: new Date().toISOString(),
    engagement: {
      id: e.id,
      title: e.title,
      municipality: { name: m.name, code: m.code },
      prime: { id: e.prime_organization_id, name: names.get(e.prime_organization_id) ?? null },
      startsOn: e.starts_on,
      endsOn: e.ends_on,
      certificateValidityDays: e.certificate_validity_days,
      curriculum: ctx.curriculum.map((id) => ({ moduleId: id, revision: modules.get(id)!.revision, title: modules.get(id)!.title })),
    },
    subcontractors: organizations
      .filter((o) => o.status !== 'prime')
      .map((o) => ({
        organizationId: o.id,
        name: o.name,
        parentName: names.get(o.parentOrganizationId!) ?? null,
        tier: o.tier,
        status: o.status,
      })),
    organizations: organizations.map((o) => {
      const c = perOrg.get(o.id);
      const assigned = c?.assigned ?? 0;
      const certified = c?.certified ?? 0;
      return {
        organizationId: o.id,
        name: o.name,
        tier: o.tier,
        status: o.status,
        assigned,
        certified,
        overdue: deadlinePassed ? assigned - certified : 0,
      };
    }),
    totals: counts,
  };
  return { ctx, rest, names };
}

type CertifiedRow = {
  id: string;
  name: string;
  organization_id: string;
  serial: string;
  valid_from: string;
  valid_until: string;
  modules: string;
};

async function article11Json(req: IncomingMessage, res: ServerResponse, engagementId: string): Promise<void> {
  const { ctx, rest, names } = reportHead(req, engagementId);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-request-id': randomUUID() });
  const hash = createHash('sha256');
  const out = (s: string) => (hash.update(s, 'utf8'), s);
  await write(res, '{"report":' + out('{"certifiedWorkers":['));
  let batch: string[] = [];
  let first = true;
  for (const r of certifiedStmt.iterate({ ...ctx.params, positions: positionsOf(ctx.organizations) }) as IterableIterator<CertifiedRow>) {
    batch.push(
      canonicalJson({
        workerId: r.id,
        name: r.name,
        organization: names.get(r.organization_id),
        serial: r.serial,
        validFrom: r.valid_from,
        validUntil: r.valid_until,
        modules: (JSON.parse(r.modules) as { moduleId: string; revision: number }[]).map((x) => ({
          moduleId: x.moduleId,
          revision: x.revision,
        })),
      }),
    );
    if (batch.length === 1000) {
      await write(res, out((first ? '' : ',') + batch.join(',')));
      first = false;
      batch = [];
    }
  }
  if (batch.length) await write(res, out((first ? '' : ',') + batch.join(',')));
  await write(res, out('],' + canonicalJson(rest).slice(1)));
  const digest = hash.digest('hex');
  inTransaction(() => appendEvent(null, 'report.generated', 'engagement', ctx.e.id, ctx.e.id, { digest }));
  res.end(`,"digest":${JSON.stringify({ algorithm: 'SHA-256', value: digest })}}`);
}

const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The printable page: the same data as HTML, the certified workers' rows written as they are read, the digest at the end. */
async function article11Page(req: IncomingMessage, res: ServerResponse, engagementId: string): Promise<void> {
  const { ctx, rest, names } = reportHead(req, engagementId);
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  const hash = createHash('sha256');
  hash.update('{"certifiedWorkers":[');
  await write(
    res,
    `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${esc(rest.engagement.title)}</title><link rel="stylesheet" href="/assets/app.css"></head><body><main class="sheet report">` +
      `<h1>${esc(rest.engagement.title)}</h1><table><tbody>${rest.organizations.map((o) => `<tr><td>${esc(o.name)}</td><td>${o.tier}</td><td>${o.assigned}</td><td>${o.certified}</td><td>${o.overdue}</td></tr>`).join('')}</tbody></table>` +
      '<table class="small"><tbody>',
  );
  let html: string[] = [];
  let first = true;
  for (const r of certifiedStmt.iterate({ ...ctx.params, positions: positionsOf(ctx.organizations) }) as IterableIterator<CertifiedRow>) {
    const mods = (JSON.parse(r.modules) as { moduleId: string; revision: number }[]).map((x) => ({
      moduleId: x.moduleId,
      revision: x.revision,
    }));
    const organization = names.get(r.organization_id);
    hash.update(
      (first ? '' : ',') +
        canonicalJson({
          workerId: r.id,
          name: r.name,
          organization,
          serial: r.serial,
          validFrom: r.valid_from,
          validUntil: r.valid_until,
          modules: mods,
        }),
    );
    first = false;
    html.push(
      `<tr><td>${esc(r.name)}</td><td>${esc(organization)}</td><td class="serial">${r.serial}</td><td>${r.valid_from.slice(0, 10)} – ${r.valid_until.slice(0, 10)}</td><td>${mods.map((x) => `${x.moduleId} r${x.revision}`).join(', ')}</td></tr>`,
    );
    if (html.length === 1000) {
      await write(res, html.join(''));
      html = [];
    }
  }
  hash.update('],' + canonicalJson(rest).slice(1));
  const digest = hash.digest('hex');
  inTransaction(() => appendEvent(null, 'report.generated', 'engagement', ctx.e.id, ctx.e.id, { digest }));
  res.end(`${html.join('')}</tbody></table><footer class="digest"><p class="serial">${digest}</p></footer></main></body></html>`);
}

// ---- CSV import ----------------------------------------------------------------

/*
 * The same writes as the service's import: personal columns encrypted under the data key (AES-256-GCM, the
 * blind index for the e-mail: docs/data-protection.md), an enrolment code and an invitation code per new
 * worker, the invitation e-mail queued in the outbox (recipient, subject and params encrypted), and the
 * audit event; hand-written statements in one transaction.
 */
const keys = new DataKeyRing();
if (process.env.BENCH_DATA_KEY) keys.add([], dataKey(Buffer.from(process.env.BENCH_DATA_KEY, 'base64')));
const mail = new MailRenderer();
const workersByIndex = (n: number) =>
  db.prepare(
    `SELECT id, email_index, name, employee_number FROM workers WHERE organization_id = ? AND email_index IN (${placeholders(n)})`,
  );
const organizationName = db.prepare('SELECT name FROM organizations WHERE id = ?');
const insertWorker = db.prepare(
  `INSERT INTO workers (id, organization_id, name, email, email_index, furigana, employee_number, enrollment_code_hash, enrollment_code_expires_at,
     enrolled_at, invitation_code_hash, invitation_code_expires_at, created_at, updated_at)
   VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL, ?, ?, ?, ?)`,
);
const insertOutbox = db.prepare(
  `INSERT INTO mail_outbox (id, idempotency_key, kind, recipient, recipient_index, recipient_user_id, subject, params, status, attempts,
     next_attempt_at, claimed_until, claim_token, last_error, created_at, sent_at)
   VALUES (?, ?, 'worker_invitation', ?, ?, NULL, ?, ?, 'pending', 0, ?, NULL, NULL, NULL, ?, NULL)`,
);
const updateWorker = db.prepare('UPDATE workers SET name = ?, employee_number = ?, updated_at = ? WHERE id = ?');
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const clean = (s: string | undefined) => (s ?? '').normalize('NFC').replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');

function importCsv(req: IncomingMessage, orgId: string, body: Buffer): string {
  const u = user(req, 'org_manager');
  if (u.organization_id !== orgId) throw new HttpError(404, 'Organization not found');
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  const header = lines[0].split(',').map((h) => clean(h).toLowerCase());
  const [iName, iEmail, iNumber] = ['name', 'email', 'employeenumber'].map((h) => header.indexOf(h));
  if (iName < 0 || iEmail < 0) throw new HttpError(400, 'header must name the columns name,email,employeeNumber');
  const rows: { name: string; email: string; employeeNumber: string | null }[] = [];
  const errors: { line: number; message: string }[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const cells = lines[i].split(',');
    const name = clean(cells[iName]);
    const email = clean(cells[iEmail]).normalize('NFKC').toLowerCase();
    const employeeNumber = iNumber >= 0 ? clean(cells[iNumber]) || null : null;
    if (!name || name.length > 200 || !EMAIL.test(email) || email.length > 254 || seen.has(email)) {
      errors.push({ line: i + 1, message: 'invalid row' });
      continue;
    }
    seen.add(email);
    rows.push({ name, email, employeeNumber });
  }
  const result = { created: 0, updated: 0, unchanged: 0, errors };
  inTransaction(() => {
    const existing = new Map<string, { id: string; name: string; employee_number: string | null }>();
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500).map((r) => keys.blindIndex(r.email));
      for (const w of workersByIndex(chunk.length).all(orgId, ...chunk) as {
        id: string;
        email_index: string;
        name: string;
        employee_number: string | null;
      }[])
        existing.set(w.email_index, {
          id: w.id,
          name: keys.decrypt(w.name, 'workers.name'),
          employee_number: w.employee_number && keys.decrypt(w.employee_number, 'workers.employee_number'),
        });
    }
    const organization = (organizationName.get(orgId) as { name: string } | undefined)?.name ?? '';
    const now = new Date();
    const at = now.toISOString();
    for (const r of rows) {
      const index = keys.blindIndex(r.email);
      const old = existing.get(index);
      if (!old) {
        const id = randomUUID();
        const enrolment = issueEnrollmentCode(now);
        const invitation = issueEnrollmentCode(now);
        const email = keys.encrypt(r.email, 'workers.email');
        insertWorker.run(
          id,
          orgId,
          keys.encrypt(r.name, 'workers.name'),
          email,
          index,
          r.employeeNumber && keys.encrypt(r.employeeNumber, 'workers.employee_number'),
          enrolment.hash,
          enrolment.expiresAt.toISOString(),
          invitation.hash,
          invitation.expiresAt.toISOString(),
          at,
          at,
        );
        const params = {
          name: r.name,
          organization,
          loginId: r.email,
          link: mailLinks(BASE_URL).enroll(invitation.code),
          code: invitation.code,
          expiresAt: invitation.expiresAt.toISOString(),
        };
        insertOutbox.run(
          randomUUID(),
          `worker-invitation:${id}`,
          keys.encrypt(r.email, 'mail_outbox.recipient'),
          index,
          keys.encrypt(mail.subject('worker_invitation', params).slice(0, 500), 'mail_outbox.subject'),
          keys.encrypt(JSON.stringify(params), 'mail_outbox.params'),
          at,
          at,
        );
        result.created++;
      } else if (old.name !== r.name || old.employee_number !== r.employeeNumber) {
        updateWorker.run(
          keys.encrypt(r.name, 'workers.name'),
          r.employeeNumber && keys.encrypt(r.employeeNumber, 'workers.employee_number'),
          at,
          old.id,
        );
        result.updated++;
      } else result.unchanged++;
    }
    appendEvent(u, 'workers.imported', 'organization', orgId, null, {
      created: result.created,
      updated: result.updated,
      unchanged: result.unchanged,
      errors: errors.length,
      codesIssued: 0,
    });
  });
  return JSON.stringify(result);
}

// ---- routing -------------------------------------------------------------------

/** A handler answers, or writes the response itself (a stream) and answers null. */
const routes: [
  string,
  RegExp,
  (req: IncomingMessage, m: RegExpMatchArray, url: URL, res: ServerResponse) => Promise<Answer | null> | Answer | null,
][] = [
  ['GET', /^\/api\/v1\/certificates\/([^/]+)$/, (req, m) => certificateFacts(req, m[1])],
  ['GET', /^\/api\/v1\/certificates\/([^/]+)\/credential$/, (req, m) => credential(req, m[1])],
  ['POST', /^\/api\/v1\/modules\/([^/]+)\/attempts$/, async (req, m) => startAttempt(req, m[1], await readBody(req, 1024 * 1024))],
  ['POST', /^\/api\/v1\/attempts\/([^/]+)\/submission$/, async (req, m) => submit(req, m[1], await readBody(req, 1024 * 1024))],
  [
    'GET',
    /^\/api\/v1\/engagements\/([^/]+)\/progress$/,
    async (req, m, url, res) => {
      if (url.searchParams.get('format') !== 'csv') return [200, progress(req, m[1], Number(url.searchParams.get('limit') ?? 50))];
      await progressCsv(req, res, m[1]);
      return null;
    },
  ],
  ['GET', /^\/api\/v1\/engagements\/([^/]+)\/readiness$/, (req, m) => [200, readiness(req, m[1])]],
  ['GET', /^\/api\/v1\/engagements\/([^/]+)\/report$/, async (req, m, _url, res) => (await article11Json(req, res, m[1]), null)],
  ['GET', /^\/engagements\/([^/]+)\/report$/, async (req, m, _url, res) => (await article11Page(req, res, m[1]), null)],
  [
    'POST',
    /^\/api\/v1\/organizations\/([^/]+)\/workers\/import$/,
    async (req, m) => [200, importCsv(req, m[1], await readBody(req, 20 * 1024 * 1024))],
  ],
  ['GET', /^\/healthz$/, () => [200, '{"status":"ok"}']],
];

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const route = routes.find(([method, re]) => method === req.method && re.test(url.pathname));
  const fail = (err: unknown) => {
    if (res.headersSent) {
      console.error(err);
      return res.destroy();
    }
    const status = err instanceof HttpError ? err.status : err instanceof SyntaxError ? 400 : 500;
    if (status === 500) console.error(err);
    send(
      res,
      status,
      JSON.stringify({ statusCode: status, error: STATUS_TEXT[status] ?? 'Error', message: err instanceof Error ? err.message : 'error' }),
    );
  };
  if (!route) return fail(new HttpError(404, 'Not Found'));
  try {
    const out = route[2](req, url.pathname.match(route[1])!, url, res);
    const done = (a: Answer | null) => a && send(res, a[0], a[1], a[2], a[3]);
    if (out instanceof Promise) out.then(done, fail);
    else done(out);
  } catch (err) {
    fail(err);
  }
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', () => console.log(`baseline listening on ${process.env.PORT}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
