import { ADMIN, useWorld, corporateNumber, enrolledWorker, login, PASSWORD, World } from '../factories/world';
import type { TestApp } from '../utils/create-app';

describe('accounts and sessions', () => {
  let t: TestApp;
  let w: World;
  useWorld((app, world) => ([t, w] = [app, world]));

  it('signs in, answers /me, and revokes the token on logout', async () => {
    const s = await login(w.http, w.managers.prime.email, PASSWORD);
    const me = await w.http.get('/api/v1/me', s.token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ role: 'org_manager', organizationId: w.prime.id, email: w.managers.prime.email });
    expect((await w.http.post('/api/v1/auth/logout', undefined, s.token)).status).toBe(204);
    expect((await w.http.get('/api/v1/me', s.token)).status).toBe(401);
  });

  it('accepts the session cookie for API reads but never for API writes', async () => {
    const s = await login(w.http, w.managers.prime.email, PASSWORD);
    const cookie = { cookie: `a4_session=${s.token}` };
    expect((await w.http.get('/api/v1/me', undefined, cookie)).status).toBe(200);
    const write = await w.http.post('/api/v1/organizations', { name: 'クロスサイト株式会社' }, undefined, cookie);
    expect(write.status).toBe(401);
    expect((await w.http.post('/api/v1/organizations', { name: 'ベアラー株式会社' }, s.token)).status).toBe(201);
  });

  it('gives the same 401 for an unknown e-mail and a wrong password', async () => {
    const unknown = await w.http.post('/api/v1/auth/login', { email: 'nobody@test.example.jp', password: 'whatever-123' });
    const wrong = await w.http.post('/api/v1/auth/login', { email: ADMIN.email, password: 'wrong-password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body.message).toBe(wrong.body.message);
  });

  it('needs a session everywhere but the public routes', async () => {
    expect((await w.http.get('/api/v1/engagements')).status).toBe(401);
    expect((await w.http.get('/api/v1/engagements', 'not-a-token')).status).toBe(401);
  });

  it('enrols a worker with a one-time code', async () => {
    const created = await w.http.post(
      `/api/v1/organizations/${w.prime.id}/workers`,
      { name: '佐藤　花子', email: 'Hanako.Sato@Test.example.jp' },
      w.managers.prime.token,
    );
    expect(created.status).toBe(201);
    expect(created.body.enrollmentCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);
    expect(created.body.email).toBe('hanako.sato@test.example.jp');
    const code = created.body.enrollmentCode as string;
    const short = await w.http.post('/api/v1/auth/enroll', { enrollmentCode: code, password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.details[0].field).toBe('password');
    // Lower case and without dashes still matches: codes are typed from paper.
    const ok = await w.http.post('/api/v1/auth/enroll', { enrollmentCode: code.toLowerCase().replace(/-/g, ''), password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ role: 'worker', displayName: '佐藤　花子' });
    const me = await w.http.get('/api/v1/me', ok.body.token);
    expect(me.body).toMatchObject({ role: 'worker', workerId: created.body.id, organizationId: w.prime.id });
    const again = await w.http.post('/api/v1/auth/enroll', { enrollmentCode: code, password: PASSWORD });
    expect(again.status).toBe(400);
    const stored = await t.dataSource.query('SELECT enrollment_code_hash FROM workers');
    expect(JSON.stringify(stored)).not.toContain(code);
  });

  it('refuses an expired enrollment code', async () => {
    const created = await w.http.post(
      `/api/v1/organizations/${w.prime.id}/workers`,
      { name: '期限　切れ', email: 'expired@test.example.jp' },
      w.managers.prime.token,
    );
    await t.query("UPDATE workers SET enrollment_code_expires_at = '2020-01-01T00:00:00.000Z' WHERE id = ?", [created.body.id]);
    expect((await w.http.post('/api/v1/auth/enroll', { enrollmentCode: created.body.enrollmentCode, password: PASSWORD })).status).toBe(
      400,
    );
  });

  it('lets each role create only the accounts it may', async () => {
    const mk = (token: string, body: object) =>
      w.http.post('/api/v1/users', { email: `u${Math.random()}@test.example.jp`, displayName: 'x', password: PASSWORD, ...body }, token);
    expect((await mk(w.staff.token, { role: 'town_staff' })).body.municipalityId).toBe(w.fuchu.id);
    expect((await mk(w.staff.token, { role: 'town_staff', municipalityId: w.other.id })).status).toBe(404);
    // Town staff create the first manager of an organization they registered, and no more: then it is its managers'.
    const registered = (await w.http.post('/api/v1/organizations', { name: '町登録株式会社' }, w.staff.token)).body;
    expect((await mk(w.staff.token, { role: 'org_manager', organizationId: registered.id })).status).toBe(201);
    expect((await mk(w.staff.token, { role: 'org_manager', organizationId: registered.id })).status).toBe(404);
    // An organization on their engagement is not theirs to staff (subA1 has its own manager).
    expect((await mk(w.staff.token, { role: 'org_manager', organizationId: w.subA1.id })).status).toBe(404);
    expect((await mk(w.staff.token, { role: 'org_manager' })).status).toBe(400);
    expect((await mk(w.staff.token, { role: 'admin' })).status).toBe(403);
    expect((await mk(w.otherStaff.token, { role: 'org_manager', organizationId: w.prime.id })).status).toBe(404);
    expect((await mk(w.managers.prime.token, { role: 'org_manager' })).body.organizationId).toBe(w.prime.id);
    expect((await mk(w.managers.prime.token, { role: 'org_manager', organizationId: w.subA.id })).status).toBe(404);
    expect((await mk(w.managers.prime.token, { role: 'town_staff' })).status).toBe(403);
    expect((await mk(w.managers.prime.token, { role: 'worker' })).status).toBe(400);
    const dup = await w.http.post(
      '/api/v1/users',
      { email: w.managers.prime.email, displayName: 'x', password: PASSWORD, role: 'org_manager', organizationId: w.prime.id },
      w.admin.token,
    );
    expect(dup.status).toBe(409); // the admin may know of every account
    const worker = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '労働　者', 'worker-users@test.example.jp');
    expect((await mk(worker.token, { role: 'org_manager' })).status).toBe(403);
  });
});

describe('input validation and the error shape', () => {
  let w: World;
  useWorld((_t, world) => (w = world));

  it('answers malformed JSON with 400 in the error shape', async () => {
    const r = await w.http.call('POST', '/api/v1/organizations', '{"name": "x",', w.admin.token, { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String), requestId: expect.any(String) });
    expect(r.text).not.toMatch(/at \w+ \(/); // no stack
  });

  it('names an unknown field', async () => {
    const r = await w.http.post('/api/v1/organizations', { name: 'x', isAdmin: true }, w.admin.token);
    expect(r.status).toBe(400);
    expect(r.body.details).toEqual([
      { field: 'isAdmin', code: 'validation.whitelistValidation', messages: ['property isAdmin should not exist'] },
    ]);
  });

  it('refuses an oversized body with 413', async () => {
    const r = await w.http.post('/api/v1/organizations', { name: 'x'.repeat(1100 * 1024) }, w.admin.token);
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });

  it('checks municipality codes and corporate numbers by their check digits', async () => {
    const bad = await w.http.post('/api/v1/municipalities', { name: '府中町', code: '343022' }, w.admin.token);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('code');
    expect((await w.http.post('/api/v1/municipalities', { name: '府中町', code: '343021' }, w.admin.token)).status).toBe(409);
    const c = corporateNumber(77);
    const wrong = `${(Number(c[0]) + 1) % 10}${c.slice(1)}`;
    const badOrg = await w.http.post('/api/v1/organizations', { name: 'x', corporateNumber: wrong }, w.admin.token);
    expect(badOrg.status).toBe(400);
    expect(badOrg.body.details[0].field).toBe('corporateNumber');
    expect((await w.http.post('/api/v1/organizations', { name: 'x', corporateNumber: c }, w.admin.token)).status).toBe(201);
    expect((await w.http.post('/api/v1/organizations', { name: 'y', corporateNumber: c }, w.admin.token)).status).toBe(409);
  });

  it('validates engagement input', async () => {
    const base = {
      title: 't',
      contractNumber: 'R8-XYZ',
      primeContractorId: w.prime.id,
      startsOn: '2027-04-01',
      endsOn: '2027-03-31',
      handlesPersonalInfo: false,
      handlesMyNumber: false,
      usesCloudStorage: false,
    };
    const r = await w.http.post('/api/v1/engagements', base, w.staff.token);
    expect(r.status).toBe(400);
    expect(r.body.details[0].field).toBe('endsOn');
    const d = await w.http.post('/api/v1/engagements', { ...base, startsOn: '2027-02-30' }, w.staff.token);
    expect(d.body.details.map((x: { field: string }) => x.field)).toContain('startsOn');
    const unknown = await w.http.post(
      '/api/v1/engagements',
      { ...base, endsOn: '2028-01-01', extraModuleIds: ['no-such-module'] },
      w.staff.token,
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0].field).toBe('extraModuleIds');
    expect(
      (await w.http.post('/api/v1/engagements', { ...base, contractNumber: 'R8-001', endsOn: '2028-01-01' }, w.staff.token)).status,
    ).toBe(409);
    expect((await w.http.get('/api/v1/engagements/not-a-uuid', w.staff.token)).status).toBe(400);
  });
});
