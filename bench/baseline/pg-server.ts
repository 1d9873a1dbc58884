/*
 * The PostgreSQL baseline: a bare node:http server and a `pg` pool (10
 * connections, as the service's) on the same schema as the service on
 * PostgreSQL, answering the public verification exactly as the SQLite
 * baseline does (bench/baseline/server.ts): one row by serial, the same
 * JSON, ETag and caching headers, 304 to If-None-Match.
 *
 * Environment: BENCH_PG_URL (with its search_path), PORT, HOST (127.0.0.1).
 */
import fresh from 'fresh';
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { parseSerial } from '../../src/certificates/credential/serial';
import { entityTag } from '../../src/common/http/conditional';

const pool = new Pool({ connectionString: process.env.BENCH_PG_URL, max: 10 });
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const FACTS = {
  name: 'facts',
  text: `SELECT serial, status, valid_from, valid_until, revoked_at, engagement_title, municipality_name, organization_name, holder_masked_name
         FROM certificates WHERE serial = $1`,
};

function send(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}) {
  res.writeHead(status, {
    ...extra,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': randomUUID(),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    'content-security-policy': CSP,
  });
  res.end(body);
}

async function verification(req: IncomingMessage, res: ServerResponse, serial: string): Promise<void> {
  const p = parseSerial(decodeURIComponent(serial));
  if (!p.ok) return send(res, 400, JSON.stringify({ statusCode: 400, error: 'Bad Request', message: 'serial' }));
  const { rows } = await pool.query(FACTS.text, [p.serial]);
  const c = rows[0] as Record<string, string> | undefined;
  if (!c) return send(res, 404, JSON.stringify({ statusCode: 404, error: 'Not Found', message: 'No certificate with this serial' }));
  const status = c.status === 'valid' && c.valid_until <= new Date().toISOString() ? 'expired' : c.status;
  const body = JSON.stringify({
    serial: c.serial,
    status,
    validFrom: c.valid_from,
    validUntil: c.valid_until,
    revokedAt: c.revoked_at,
    engagement: { title: c.engagement_title, municipality: c.municipality_name },
    organization: { name: c.organization_name },
    holder: { maskedName: c.holder_masked_name },
  });
  const etag = entityTag(body);
  const headers = { etag, 'cache-control': 'public, max-age=300', vary: 'Authorization, Cookie' };
  if (fresh(req.headers, { etag })) send(res, 304, '', headers);
  else send(res, 200, body, headers);
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
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
