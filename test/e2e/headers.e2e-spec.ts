import { buildWorld, enrolledWorker, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';
import { sit } from '../utils/quiz';

/** Security headers (through helmet) and caching: nothing personal is ever stored by a cache. */
describe('response headers', () => {
  let t: TestApp;
  let w: World;
  let serial: string;

  beforeAll(async () => {
    t = await createTestApp();
    w = await buildWorld(t);
    const x = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '見出　一郎', 'headers@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [x.workerId] }, w.managers.prime.token);
    for (const m of w.engagement.curriculum) await sit(t, w.http, x.token, m, w.engagement.id);
    serial = (await w.http.get('/api/v1/me/certificates', x.token)).body[0].serial;
  }, 60_000);
  afterAll(() => t.close());

  it('marks every API answer and page with personal data no-store', async () => {
    const bearer = { authorization: `Bearer ${w.staff.token}` };
    const cookie = { cookie: `a4_session=${w.staff.token}`, accept: 'text/html' };
    const urls: [string, Record<string, string>][] = [
      [`/api/v1/organizations/${w.prime.id}/workers`, bearer],
      [`${w.E}/progress`, bearer],
      [`${w.E}/progress?format=csv`, bearer],
      [`${w.E}/readiness`, bearer],
      [`${w.E}/report`, bearer],
      [`/api/v1/certificates/${serial}`, bearer],
      ['/api/v1/me', bearer],
      [`/engagements/${w.engagement.id}/report`, cookie],
      [`/engagements/${w.engagement.id}/progress`, cookie],
      [`/engagements/${w.engagement.id}/progress.csv`, cookie],
      [`/certificates/${serial}`, cookie],
      [`/verify/${serial}`, cookie],
      ['/town', cookie],
      ['/api/v1/engagements/00000000-0000-4000-8000-000000000000', bearer], // errors too
    ];
    for (const [url, headers] of urls) {
      const r = await t.app.inject({ method: 'GET', url, headers });
      // `private, no-store` where the same URL answers the public in a cacheable form (the verification JSON).
      expect({ url, status: r.statusCode < 500, noStore: /(^|, )no-store$/.test(String(r.headers['cache-control'])) }).toEqual({
        url,
        status: true,
        noStore: true,
      });
    }
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: { email: w.staff.email, password: 'wrong-password' },
    });
    expect(login.headers['cache-control']).toBe('no-store');
  });

  it('lets the public, cacheable documents keep their own caching', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).headers['cache-control']).toBe('public, max-age=300');
    expect((await t.app.inject({ method: 'GET', url: '/assets/app.css' })).headers['cache-control']).toMatch(/max-age=3600/);
  });

  it('sends the strict CSP, framing and referrer rules on pages, and Swagger UI its own', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/verify', headers: { accept: 'text/html' } });
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'self';img-src 'self' data:;style-src 'self';script-src 'self';object-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'self'",
    );
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('same-origin');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['strict-transport-security']).toBeUndefined(); // http://localhost
    const docs = await t.app.inject({ method: 'GET', url: '/api/docs' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
    expect(docs.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});

describe('HSTS', () => {
  it('is sent when PUBLIC_BASE_URL is https', async () => {
    const t = await createTestApp({ env: { PUBLIC_BASE_URL: 'https://lms.example.jp' } });
    try {
      const r = await t.app.inject({ method: 'GET', url: '/healthz' });
      expect(r.headers['strict-transport-security']).toBe('max-age=31536000');
    } finally {
      await t.close();
    }
  }, 60_000);
});
