import { buildWorld, enrolledWorker, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';
import { sit } from '../utils/quiz';

/** HTTP caching of the public documents (docs/caching.md): ETags, 304, and nothing personal in a shared cache. */
describe('HTTP caching', () => {
  let t: TestApp;
  let w: World;
  let serial: string;
  let holderToken: string;

  beforeAll(async () => {
    t = await createTestApp();
    w = await buildWorld(t);
    const x = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '鍵屋　二郎', 'caching@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [x.workerId] }, w.managers.prime.token);
    for (const m of w.engagement.curriculum) await sit(t, w.http, x.token, m, w.engagement.id);
    serial = (await w.http.get('/api/v1/me/certificates', x.token)).body[0].serial;
    holderToken = x.token;
  }, 60_000);
  afterAll(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

  it('the public credential: strong ETag, immutable for a year, 304 to its own ETag', async () => {
    const url = `/api/v1/certificates/${serial}/credential`;
    const first = await get(url);
    expect(first.statusCode).toBe(200);
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(first.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(first.headers.vary).toBe('Accept');
    const again = await get(url, { 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(first.headers.etag);
    // Another tag (or a list without ours) gets the document; the JWT form is another representation, another tag.
    expect((await get(url, { 'if-none-match': '"something-else"' })).statusCode).toBe(200);
    const jwt = await get(`${url}?format=jwt`);
    expect(jwt.headers.etag).not.toBe(first.headers.etag);
  });

  it("the holder's credential is never stored by a cache", async () => {
    const r = await get(`/api/v1/certificates/${serial}/credential?form=holder`, { authorization: `Bearer ${holderToken}` });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('private, no-store');
    expect(r.headers.etag).toBeUndefined();
  });

  it("verification: ETag and a short max-age for the public; a revocation changes the ETag; the holder's view is private", async () => {
    const url = `/api/v1/certificates/${serial}`;
    const before = await get(url);
    expect(before.statusCode).toBe(200);
    expect(before.headers['cache-control']).toBe('public, max-age=300');
    expect(before.headers.vary).toBe('Authorization, Cookie');
    expect(before.json()).toMatchObject({ serial, status: 'valid', holder: { maskedName: '鍵屋 *' } });
    expect((await get(url, { 'if-none-match': String(before.headers.etag) })).statusCode).toBe(304);

    const mine = await get(url, { authorization: `Bearer ${holderToken}` });
    expect(mine.headers['cache-control']).toBe('private, no-store');
    expect(mine.headers.etag).toBeUndefined();
    expect(mine.json().holder.name).toBe('鍵屋　二郎');

    expect((await w.http.post(`${url}/revocation`, { reason: '交代' }, w.staff.token)).status).toBe(200);
    const after = await get(url, { 'if-none-match': String(before.headers.etag) });
    expect(after.statusCode).toBe(200);
    expect(after.json().status).toBe('revoked');
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it('the status list and the JWKS: ETag, short max-age, 304', async () => {
    const vc = JSON.parse(Buffer.from((await get(`/api/v1/certificates/${serial}/credential`)).body.split('.')[1], 'base64url').toString());
    const list = new URL(vc.credentialStatus.statusListCredential as string).pathname;
    for (const url of [list, '/.well-known/jwks.json']) {
      const first = await get(url);
      expect({ url, status: first.statusCode, cache: first.headers['cache-control'] }).toEqual({
        url,
        status: 200,
        cache: 'public, max-age=300',
      });
      expect((await get(url, { 'if-none-match': String(first.headers.etag) })).statusCode).toBe(304);
    }
  });
});
