/*
 * The PostgreSQL baseline: a bare node:http server and a `pg` pool (10
 * connections, as the service's) on the same schema as the service on
 * PostgreSQL, answering the public verification and the quiz exactly as the
 * SQLite baseline does (bench/baseline/server.ts): one row by serial, the
 * same JSON, ETag and caching headers, 304 to If-None-Match; the quiz's
 * reads and writes (session, engagement, cool-down, the sitting, grading,
 * audit event under the chain's advisory lock as the service takes it,
 * completion, the issuance check's reads), each write in one transaction.
 *
 * Environment: BENCH_PG_URL (with its search_path), PORT, HOST (127.0.0.1), CONTENT_DIR.
 */
import fresh from 'fresh';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { Pool, PoolClient } from 'pg';
import { canonicalJson, eventHash, GENESIS_HASH } from '../../src/audit/audit-hash';
import { parseSerial } from '../../src/certificates/credential/serial';
import { entityTag } from '../../src/common/http/conditional';
import { loadContent } from '../../src/content/content-loader';
import {
  attestsCurriculum,
  coolingDown,
  draw,
  gradeSitting,
  HttpError,
  type IssuanceFacts,
  MAX_FAILURES,
  publicFactsBody,
  send,
  sittingView,
  startBody,
  submissionBody,
  UUID,
} from './common';

const pool = new Pool({ connectionString: process.env.BENCH_PG_URL, max: 10 });
const FACTS = {
  name: 'facts',
  text: `SELECT serial, status, valid_from, valid_until, revoked_at, engagement_title, municipality_name, organization_name, holder_masked_name
         FROM certificates WHERE serial = $1`,
};

async function verification(req: IncomingMessage, res: ServerResponse, serial: string): Promise<void> {
  const p = parseSerial(decodeURIComponent(serial));
  if (!p.ok) return send(res, 400, JSON.stringify({ statusCode: 400, error: 'Bad Request', message: 'serial' }));
  const { rows } = await pool.query(FACTS.text, [p.serial]);
  const c = rows[0] as Record<string, string> | undefined;
  if (!c) return send(res, 404, JSON.stringify({ statusCode: 404, error: 'Not Found', message: 'No certificate with this serial' }));
  const body = publicFactsBody(c);
  const etag = entityTag(body);
  const headers = { etag, 'cache-control': 'public, max-age=300', vary: 'Authorization, Cookie' };
  if (fresh(req.headers, { etag })) send(res, 304, '', undefined, headers);
  else send(res, 200, body, undefined, headers);
}

// ---- quiz ---------------------------------------------------------------------

const CHAIN_LOCK = 1098212457; // src/audit/audit.service.ts
const modules = new Map(loadContent(process.env.CONTENT_DIR ?? resolve(__dirname, '../../content')).modules.map((m) => [m.id, m]));
type Row = Record<string, any>;
const one = async (c: Pool | PoolClient, text: string, params: unknown[]): Promise<Row | undefined> =>
  (await c.query(text, params)).rows[0];
const all = async (c: Pool | PoolClient, text: string, params: unknown[]): Promise<Row[]> => (await c.query(text, params)).rows;

async function inTransaction<T>(work: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await work(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

async function user(req: IncomingMessage): Promise<Row> {
  const h = req.headers.authorization;
  if (!h?.startsWith('Bearer ')) throw new HttpError(401, 'Sign-in required');
  const row = await one(
    pool,
    `SELECT s.expires_at, s.revoked_at, u.id, u.role, u.worker_id FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`,
    [createHash('sha256').update(h.slice(7).trim()).digest('hex')],
  );
  if (!row || row.revoked_at || new Date(row.expires_at) <= new Date()) throw new HttpError(401, 'Session expired or signed out');
  if (row.role !== 'worker') throw new HttpError(403, 'Your role may not do this');
  return row;
}

async function startAttempt(req: IncomingMessage, moduleId: string, body: string): Promise<[number, string]> {
  const u = await user(req);
  const engagementId = startBody(body);
  const e = await one(
    pool,
    'SELECT * FROM engagements e WHERE e.id = $1 AND EXISTS (SELECT 1 FROM assignments sa WHERE sa.engagement_id = e.id AND sa.worker_id = $2)',
    [engagementId, u.worker_id],
  );
  if (!e) throw new HttpError(404, 'Engagement not found');
  const m = modules.get(moduleId);
  if (!m) throw new HttpError(404, `Module ${moduleId} not found`);
  if (!(JSON.parse(e.curriculum) as string[]).includes(moduleId)) throw new HttpError(409, 'not in the curriculum');
  const recent = await all(
    pool,
    'SELECT passed, submitted_at FROM attempts WHERE worker_id = $1 AND module_id = $2 AND submitted_at IS NOT NULL ORDER BY submitted_at DESC LIMIT $3',
    [u.worker_id, moduleId, MAX_FAILURES],
  );
  if (coolingDown(recent as { passed: boolean; submitted_at: string }[])) throw new HttpError(429, 'cooling down');
  const now = Date.now();
  const questions = draw(m);
  const id = randomUUID();
  const startedAt = new Date(now).toISOString();
  const expiresAt = new Date(now + m.timeLimitMinutes * 60_000).toISOString();
  await inTransaction((c) =>
    c.query(
      `INSERT INTO attempts (id, worker_id, engagement_id, module_id, revision, content_hash, pass_mark, questions, started_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [id, u.worker_id, e.id, m.id, m.revision, m.contentHash, e.pass_mark ?? m.passMark, JSON.stringify(questions), startedAt, expiresAt],
    ),
  );
  return [201, sittingView(id, m, e.id, questions, startedAt, expiresAt)];
}

async function appendEvent(
  c: PoolClient,
  actor: Row,
  action: string,
  targetType: string,
  targetId: string,
  engagementId: string,
  details: Record<string, unknown>,
) {
  await c.query(`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`);
  const last = await one(c, 'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1', []);
  const fields = {
    id: randomUUID(),
    seq: Number(last?.seq ?? 0) + 1,
    occurredAt: new Date().toISOString(),
    actorId: actor.id,
    actorRole: actor.role,
    action,
    targetType,
    targetId,
    engagementId,
    details: canonicalJson(details),
    prevHash: (last?.hash as string | undefined) ?? GENESIS_HASH,
  };
  await c.query(
    `INSERT INTO audit_events (id, seq, occurred_at, actor_id, actor_role, action, target_type, target_id, engagement_id, details, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
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
    ],
  );
}

/** The issuance check's reads (the benchmark never completes a curriculum, so nothing is issued). */
async function certificateDue(c: PoolClient, workerId: string): Promise<null> {
  const now = Date.now();
  const completions = await all(c, 'SELECT module_id, revision, completed_at FROM completions WHERE worker_id = $1', [workerId]);
  const held = await all(c, "SELECT id, engagement_id, valid_until, modules FROM certificates WHERE worker_id = $1 AND status = 'valid'", [
    workerId,
  ]);
  for (const a of await all(
    c,
    'SELECT a.engagement_id, a.worker_id, w.organization_id FROM assignments a JOIN workers w ON w.id = a.worker_id WHERE a.worker_id = $1',
    [workerId],
  )) {
    const e = (await one(c, 'SELECT * FROM engagements WHERE id = $1', [a.engagement_id]))!;
    const links = await all(
      c,
      'SELECT organization_id, parent_organization_id, status, tier FROM subcontract_links WHERE engagement_id = $1',
      [e.id],
    );
    const complete = attestsCurriculum({ engagement: e, links, completions } as IssuanceFacts, a.organization_id, modules, now);
    if (complete && !held.some((h) => h.engagement_id === e.id)) throw new HttpError(500, 'the benchmark never completes a curriculum');
  }
  return null;
}

async function submit(req: IncomingMessage, attemptId: string, body: string): Promise<[number, string]> {
  const u = await user(req);
  if (!UUID.test(attemptId)) throw new HttpError(400, 'Validation failed (uuid is expected)');
  const answers = submissionBody(body);
  if (!(await one(pool, 'SELECT 1 FROM attempts WHERE id = $1 AND worker_id = $2', [attemptId, u.worker_id])))
    throw new HttpError(404, 'Attempt not found');
  return inTransaction(async (c) => {
    const a = (await one(c, 'SELECT * FROM attempts WHERE id = $1', [attemptId]))!;
    if (a.submitted_at) throw new HttpError(409, 'This attempt was already submitted');
    const now = new Date();
    if (now.toISOString() > a.expires_at) throw new HttpError(409, 'The time limit of this attempt has passed');
    const { results, score, passed, stored } = gradeSitting(a.questions, answers, a.pass_mark);
    const at = now.toISOString();
    const res = await c.query(
      'UPDATE attempts SET submitted_at = $1, answers = $2, score = $3, passed = $4 WHERE id = $5 AND submitted_at IS NULL',
      [at, JSON.stringify(stored), score, passed, attemptId],
    );
    if (res.rowCount === 0) throw new HttpError(409, 'This attempt was already submitted');
    await appendEvent(c, u, 'attempt.submitted', 'attempt', attemptId, a.engagement_id, {
      moduleId: a.module_id,
      revision: a.revision,
      score,
      passed,
    });
    let certificate: null = null;
    if (passed) {
      await c.query(
        'INSERT INTO completions (id, worker_id, module_id, revision, content_hash, score, attempt_id, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [randomUUID(), a.worker_id, a.module_id, a.revision, a.content_hash, score, attemptId, at],
      );
      certificate = await certificateDue(c, a.worker_id);
    }
    return [200, JSON.stringify({ attemptId, moduleId: a.module_id, score, passed, passMark: a.pass_mark, results, certificate })] as [
      number,
      string,
    ];
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

async function quizRoute(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const start = /^\/api\/v1\/modules\/([^/]+)\/attempts$/.exec(path);
  const sub = /^\/api\/v1\/attempts\/([^/]+)\/submission$/.exec(path);
  if (req.method !== 'POST' || (!start && !sub)) return false;
  try {
    const body = await readBody(req);
    const [status, out] = start ? await startAttempt(req, start[1], body) : await submit(req, sub![1], body);
    send(res, status, out);
  } catch (err) {
    const status = err instanceof HttpError ? err.status : 500;
    if (status === 500) console.error(err);
    send(res, status, JSON.stringify({ statusCode: status, message: err instanceof Error ? err.message : 'error' }));
  }
  return true;
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'POST') return void quizRoute(req, res, path).then((handled) => handled || send(res, 404, '{"statusCode":404}'));
  const m = /^\/api\/v1\/certificates\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && m)
    return void verification(req, res, m[1]).catch((err: unknown) => {
      console.error(err);
      if (!res.headersSent) send(res, 500, '{"statusCode":500}');
    });
  if (path === '/healthz') return send(res, 200, '{"status":"ok"}');
  send(res, 404, '{"statusCode":404}');
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', () => console.log(`pg baseline listening on ${process.env.PORT}`));
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
