import { buildWorld, enrolledWorker, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';
import { sit } from '../utils/quiz';

/**
 * The attack chains of issue 12, step by step as a reviewer ran them on a
 * demo instance: two requests with ids the API hands out must grant nothing.
 * Each `expect` that guards a step failed on the code before src/access
 * became the one policy.
 */
describe('access chains (issue 12)', () => {
  let t: TestApp;
  let w: World;
  const engagementBody = (contractNumber: string, primeContractorId: string) => ({
    title: 'x',
    contractNumber,
    primeContractorId,
    startsOn: '2026-12-01',
    endsOn: '2027-03-31',
    handlesPersonalInfo: true,
    handlesMyNumber: false,
    usesCloudStorage: false,
  });
  /** Everything personal about P's people the tests planted; none of it may reach a stranger. */
  const primePeople = ['元請　一郎', 'prime-one@example.jp', '元請　未登録', 'prime-unenrolled@example.jp'];
  const subAPeople = ['一次　花子', 'sub-a-one@example.jp'];
  const leaks = (text: string, people: string[]) => people.filter((p) => text.includes(p));
  let serial: string;

  beforeAll(async () => {
    t = await createTestApp();
    w = await buildWorld(t);
    // P (the prime of municipality A's engagement) has an enrolled worker, assigned and certified, and one not yet enrolled.
    const one = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '元請　一郎', 'prime-one@example.jp');
    await w.http.post(
      `/api/v1/organizations/${w.prime.id}/workers`,
      { name: '元請　未登録', email: 'prime-unenrolled@example.jp' },
      w.managers.prime.token,
    );
    await w.http.post(`${w.E}/assignments`, { workerIds: [one.workerId] }, w.managers.prime.token);
    for (const m of w.engagement.curriculum) await sit(t, w.http, one.token, m, w.engagement.id);
    serial = (await w.http.get('/api/v1/me/certificates', one.token)).body[0].serial;
    // subA (approved under P) has a worker on the engagement too.
    const a = await enrolledWorker(w.http, w.managers.subA.token, w.subA.id, '一次　花子', 'sub-a-one@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [a.workerId] }, w.managers.subA.token);
  }, 60_000);
  afterAll(() => t.close());

  describe('1. town staff of another municipality name P as their prime', () => {
    const B = () => w.otherStaff.token;
    let eb: string;

    it('sees none of P’s people before', async () => {
      expect((await w.http.get(`/api/v1/organizations/${w.prime.id}/workers`, B())).status).toBe(404);
    });

    it('may name P as prime (a known id), which grants nothing over P', async () => {
      const r = await w.http.post('/api/v1/engagements', engagementBody('B-1', w.prime.id), B());
      expect(r.status).toBe(201);
      eb = r.body.id;
      const list = await w.http.get(`/api/v1/organizations/${w.prime.id}/workers`, B());
      expect(leaks(list.text, primePeople)).toEqual([]);
      expect(list.body.items ?? []).toEqual([]);
    });

    it('cannot make itself a manager of P, register P’s workers or issue their codes', async () => {
      const users = async () => (await t.query('SELECT id FROM users')).length;
      const before = await users();
      const manager = await w.http.post(
        '/api/v1/users',
        { role: 'org_manager', organizationId: w.prime.id, email: 'takeover@example.jp', displayName: 'x', password: 'takeover-pass-123' },
        B(),
      );
      expect(manager.status).toBe(404);
      expect(await users()).toBe(before);
      const codes = await w.http.post(`/api/v1/organizations/${w.prime.id}/workers/enrollment-codes`, undefined, B());
      expect(codes.status).toBe(404);
      expect(leaks(codes.text, primePeople)).toEqual([]);
      const add = await w.http.post(`/api/v1/organizations/${w.prime.id}/workers`, { name: 'x', email: 'x@example.jp' }, B());
      expect(add.status).toBe(404);
      const imp = await w.http.post(
        `/api/v1/organizations/${w.prime.id}/workers/import?includeCodes=true`,
        'name,email\nx,y@example.jp\n',
        B(),
        {
          'content-type': 'text/csv',
        },
      );
      expect(imp.status).toBe(404);
    });

    it('reads nothing of municipality A’s engagement: not its progress, report or holders', async () => {
      for (const path of ['', '/progress', '/readiness', '/report', '/subcontractors'])
        expect((await w.http.get(`${w.E}${path}`, B())).status).toBe(404);
      const cert = await w.http.get(`/api/v1/certificates/${serial}`, B());
      expect(cert.status).toBe(200);
      expect(cert.body.holder).toEqual({ maskedName: expect.any(String) });
      // On its own engagement with P as prime, P's people appear only once P's managers assign them.
      const progress = await w.http.get(`/api/v1/engagements/${eb}/progress`, B());
      expect(progress.status).toBe(200);
      expect(leaks(progress.text, primePeople)).toEqual([]);
    });
  });

  describe('2. a subcontractor’s manager names its parent (and the prime) below itself', () => {
    const tier2 = () => w.managers.subA1.token;
    let e4: string;

    beforeAll(async () => {
      // E4: an engagement of municipality A where the tier-2 company is the prime.
      e4 = (await w.http.post('/api/v1/engagements', engagementBody('A-E4', w.subA1.id), w.staff.token)).body.id;
    });

    it('takes its parent’s id from the subcontractor list, and sees none of its people before', async () => {
      const own = (await w.http.get(`${w.E}/subcontractors`, tier2())).body.items.find((l: any) => l.organizationId === w.subA1.id);
      expect(own.parentOrganizationId).toBe(w.subA.id);
      expect((await w.http.get(`/api/v1/organizations/${w.subA.id}/workers`, tier2())).status).toBe(404);
    });

    it('may add its parent and the prime as pending subcontractors of its own engagement, which grants nothing', async () => {
      for (const target of [w.subA, w.prime]) {
        const r = await w.http.post(
          `/api/v1/engagements/${e4}/subcontractors`,
          { organizationId: target.id, parentOrganizationId: w.subA1.id },
          tier2(),
        );
        expect(r.status).toBe(201);
        expect(r.body.status).toBe('pending_approval');
      }
      const parent = await w.http.get(`/api/v1/organizations/${w.subA.id}/workers`, tier2());
      expect(parent.status).toBe(404);
      expect(leaks(parent.text, subAPeople)).toEqual([]);
      const prime = await w.http.get(`/api/v1/organizations/${w.prime.id}/workers`, tier2());
      expect(prime.status).toBe(404);
      expect(leaks(prime.text, primePeople)).toEqual([]);
    });

    it('still sees nobody once the town approves the links: people show only where their own managers assign them', async () => {
      for (const target of [w.subA, w.prime])
        await w.http.post(
          `/api/v1/engagements/${e4}/subcontractors/${target.id}/approval`,
          { approved: true, decidedOn: '2026-12-01', reference: 'x' },
          w.staff.token,
        );
      const parent = await w.http.get(`/api/v1/organizations/${w.subA.id}/workers`, tier2());
      expect(leaks(parent.text, subAPeople)).toEqual([]);
      expect(parent.body.items ?? []).toEqual([]);
      const progress = await w.http.get(`/api/v1/engagements/${e4}/progress`, tier2());
      expect(leaks(progress.text, [...subAPeople, ...primePeople])).toEqual([]);
      // Nor can it staff them or reach their codes.
      for (const target of [w.subA, w.prime]) {
        expect((await w.http.post(`/api/v1/organizations/${target.id}/workers/enrollment-codes`, undefined, tier2())).status).toBe(404);
        const m = await w.http.post(
          '/api/v1/users',
          {
            role: 'org_manager',
            organizationId: target.id,
            email: `m-${target.id}@example.jp`,
            displayName: 'x',
            password: 'password-12345',
          },
          tier2(),
        );
        expect(m.status).toBe(404);
      }
    });
  });

  describe('3. smaller leaks', () => {
    it('answers an assignment to a foreign engagement like one to an unknown engagement (404, not 409)', async () => {
      const own = await w.http.post(
        `/api/v1/organizations/${w.outsider.id}/workers`,
        { name: '外部　者', email: 'outsider-chain@example.jp' },
        w.managers.outsider.token,
      );
      const foreign = await w.http.post(`${w.E}/assignments`, { workerIds: [own.body.id] }, w.managers.outsider.token);
      const unknown = await w.http.post(
        '/api/v1/engagements/00000000-0000-4000-8000-000000000000/assignments',
        { workerIds: [own.body.id] },
        w.managers.outsider.token,
      );
      expect(foreign.status).toBe(404);
      expect({ ...foreign.body, requestId: '' }).toEqual({ ...unknown.body, requestId: '' });
    });

    it('answers readiness and the report to a subcontractor’s manager with 404, like an unknown engagement', async () => {
      for (const path of ['readiness', 'report']) {
        const r = await w.http.get(`${w.E}/${path}`, w.managers.subA.token);
        const unknown = await w.http.get(`/api/v1/engagements/00000000-0000-4000-8000-000000000000/${path}`, w.managers.subA.token);
        expect(r.status).toBe(404);
        expect({ ...r.body, requestId: '' }).toEqual({ ...unknown.body, requestId: '' });
      }
    });

    it('does not tell town staff or managers whether an e-mail has an account', async () => {
      const create = (email: string, token: string, extra: object = {}) =>
        w.http.post('/api/v1/users', { email, displayName: '新任', password: 'password-12345', role: 'org_manager', ...extra }, token);
      const users = async () => (await t.query('SELECT id, password_hash FROM users')).length;
      for (const [token, extra] of [
        [w.managers.prime.token, {}],
        [w.staff.token, { organizationId: (await w.http.post('/api/v1/organizations', { name: '新規株式会社' }, w.staff.token)).body.id }],
      ] as const) {
        const before = await users();
        const taken = await create(w.otherStaff.email, token, extra);
        const afterTaken = await users();
        const free = await create(`free-${Math.random()}@example.jp`, token, extra);
        expect(taken.status).toBe(201);
        expect(free.status).toBe(201);
        const shape = (b: any) => ({ ...b, id: typeof b.id, email: typeof b.email });
        expect(shape(taken.body)).toEqual(shape(free.body));
        expect(Object.keys(taken.headers).sort()).toEqual(Object.keys(free.headers).sort());
        // Nothing was created for the taken address, and the existing account is unchanged.
        expect(afterTaken).toBe(before);
        expect((await t.query('SELECT id FROM users WHERE id = ?', [taken.body.id])).length).toBe(0);
        const [event] = await t.query<{ target_id: string }>(
          "SELECT target_id FROM audit_events WHERE action = 'user.create_address_taken' ORDER BY seq DESC LIMIT 1",
        );
        expect(event.target_id).toBe(w.otherStaff.id);
      }
    });
  });
});
