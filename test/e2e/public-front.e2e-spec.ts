import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { buildWorld, enrolledWorker, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';
import { sit } from '../utils/quiz';

/**
 * The public front (src/common/http/public-front.ts) answers the signed-out
 * GETs of the public documents before Fastify and Nest: over a real socket,
 * each of its answers must be the pipeline's answer (`inject` goes straight
 * to Fastify's router, past the front), and everything it does not answer
 * whole must reach the pipeline.
 */
describe('Public front', () => {
  let t: TestApp;
  let w: World;
  let base: string;
  let serial: string;
  let holderToken: string;
  let statusList: string;
  /** Requests that reached Fastify's hooks (the pipeline), by path. */
  const pipeline: string[] = [];
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const logStream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    t = await createTestApp({ logStream, env: { LOG_LEVEL: 'info' }, onRequest: (url) => pipeline.push(url) });
    w = await buildWorld(t);
    const x = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '表口　三郎', 'front@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [x.workerId] }, w.managers.prime.token);
    for (const m of w.engagement.curriculum) await sit(t, w.http, x.token, m, w.engagement.id);
    serial = (await w.http.get('/api/v1/me/certificates', x.token)).body[0].serial;
    holderToken = x.token;
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const vc = JSON.parse(
      Buffer.from((await t.app.inject({ url: `/api/v1/certificates/${serial}/credential` })).body.split('.')[1], 'base64url').toString(),
    );
    statusList = new URL(vc.credentialStatus.statusListCredential as string).pathname;
  }, 60_000);
  afterAll(() => t.close());

  /** A GET over the socket with exactly these headers (fetch would add `Cache-Control: no-cache` to a conditional request). */
  function get(
    path: string,
    headers: Record<string, string>,
    method = 'GET',
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    return new Promise((ok, fail) => {
      const req = request(base + path, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          ok({ status: res.statusCode!, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks).toString() }),
        );
      });
      req.on('error', fail);
      req.end();
    });
  }

  /** Status, body and headers, less those that differ on every answer. */
  async function viaSocket(path: string, headers: Record<string, string> = {}) {
    pipeline.length = 0;
    const r = await get(path, headers);
    const h = Object.fromEntries(
      Object.entries(r.headers).filter(([k]) => !['date', 'x-request-id', 'connection', 'keep-alive'].includes(k)),
    );
    return { status: r.status, body: r.body, headers: h, reachedPipeline: pipeline.length > 0 };
  }
  async function viaPipeline(path: string, headers: Record<string, string> = {}) {
    const r = await t.app.inject({ method: 'GET', url: path, headers });
    const h = Object.fromEntries(
      Object.entries(r.headers)
        .filter(([k]) => !['date', 'x-request-id', 'connection', 'keep-alive', 'transfer-encoding'].includes(k))
        .map(([k, v]) => [k, String(v)]),
    );
    return { status: r.statusCode, body: r.body, headers: h };
  }

  it('answers the public documents itself, byte for byte and header for header what the pipeline answers (200 and 304)', async () => {
    const documents = [
      [`/api/v1/certificates/${serial}`, {}],
      [`/api/v1/certificates/${serial.toLowerCase()}`, {}],
      [`/api/v1/certificates/${serial}/credential`, {}],
      [`/api/v1/certificates/${serial}/credential`, { accept: 'application/jwt' }],
      [statusList, {}],
      ['/.well-known/jwks.json', {}],
    ] as const;
    for (const [path, headers] of documents) {
      const front = await viaSocket(path, headers);
      const full = await viaPipeline(path, headers);
      expect({ path, ...front }).toEqual({ path, ...full, reachedPipeline: false });
      expect(front.status).toBe(200);
      const etag = front.headers.etag;
      const again = await viaSocket(path, { ...headers, 'if-none-match': etag });
      expect({ path, ...again }).toEqual({
        path,
        ...(await viaPipeline(path, { ...headers, 'if-none-match': etag })),
        reachedPipeline: false,
      });
      expect(again.status).toBe(304);
    }
  });

  it('writes the access log line the pipeline writes: the route with the serial, never the query or a name', async () => {
    logLines.length = 0;
    await viaSocket(`/api/v1/certificates/${serial}`);
    await viaPipeline(`/api/v1/certificates/${serial}`);
    const [front, full] = logLines.filter((l) => l.msg === 'request completed');
    const shape = (l: Record<string, unknown>) => ({ req: l.req, res: l.res, reqId: typeof l.reqId, responseTime: typeof l.responseTime });
    expect(shape(front)).toEqual(shape(full));
    expect(front.req).toEqual({ method: 'GET', path: `/api/v1/certificates/${serial}` });
  });

  it('hands everything else to the pipeline: errors in their one shape, credentials, queries, other methods, encoded paths', async () => {
    const passed = [
      ['/api/v1/certificates/ZZZZ-ZZZZ-ZZZZ-Z', {}, 400],
      [`/api/v1/certificates/${serial.slice(0, -1)}${serial.endsWith('0') ? '1' : '0'}`, {}, 400],
      ['/api/v1/certificates/0000-0000-0000-0', {}, 404],
      ['/api/v1/status-lists/00000000-0000-4000-8000-000000000000', {}, 404],
      [`/api/v1/certificates/${serial}`, { authorization: `Bearer ${holderToken}` }, 200],
      [`/api/v1/certificates/${serial}`, { cookie: 'a4_lang=en' }, 200],
      [`/api/v1/certificates/${serial}/credential?format=jwt`, {}, 200],
      [`/api/v1/certificates/${serial}/credential?form=holder`, { authorization: `Bearer ${holderToken}` }, 200],
      [`/api/v1/certificates/${serial.replace('-', '%2D')}`, {}, 200],
    ] as const;
    for (const [path, headers, status] of passed) {
      const front = await viaSocket(path, headers);
      const full = await viaPipeline(path, headers);
      expect({ path, status: front.status, reachedPipeline: front.reachedPipeline }).toEqual({ path, status, reachedPipeline: true });
      if (status !== 200) expect(JSON.parse(front.body)).toMatchObject({ statusCode: status, requestId: expect.any(String) });
      expect({ path, body: front.body }).toEqual({ path, body: status === 200 ? full.body : front.body });
    }
    // The holder's view names the holder: through the pipeline, never cached.
    const mine = await viaSocket(`/api/v1/certificates/${serial}`, { authorization: `Bearer ${holderToken}` });
    expect(mine.headers['cache-control']).toBe('private, no-store');
    expect(JSON.parse(mine.body).holder.name).toBe('表口　三郎');
    pipeline.length = 0;
    expect((await get(`/api/v1/certificates/${serial}`, {}, 'HEAD')).status).toBe(200);
    expect(pipeline).toHaveLength(1);
  });

  it('a revocation is seen at once: the next answer has the new status and another ETag', async () => {
    const before = await viaSocket(`/api/v1/certificates/${serial}`);
    expect((await w.http.post(`/api/v1/certificates/${serial}/revocation`, { reason: '退職' }, w.staff.token)).status).toBe(200);
    const after = await viaSocket(`/api/v1/certificates/${serial}`, { 'if-none-match': before.headers.etag });
    expect(after.status).toBe(200);
    expect(after.reachedPipeline).toBe(false);
    expect(JSON.parse(after.body).status).toBe('revoked');
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });
});
