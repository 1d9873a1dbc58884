import { buildWorld, enrolledWorker, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';
import { sit } from '../utils/quiz';

/**
 * The refusal matrix: for every route, callers from another municipality,
 * another organization and a sibling subcontractor are refused (404 where the
 * thing exists but is not theirs to see or control, 403 where their role may
 * never do it), while the rightful caller is served. Then the multi-step
 * chains: what a foreign actor can set up with ids alone (naming a prime,
 * adding a pending or refused link) must grant them nothing.
 */
describe('access matrix', () => {
  let t: TestApp;
  let w: World;
  let subAWorkerId: string;
  let subBWorker: { token: string; workerId: string };
  let outsiderWorkerId: string;

  beforeAll(async () => {
    t = await createTestApp();
    w = await buildWorld(t);
    subAWorkerId = (
      await w.http.post(
        `/api/v1/organizations/${w.subA.id}/workers`,
        { name: 'エー　社員', email: 'a-worker@example.jp' },
        w.managers.subA.token,
      )
    ).body.id;
    subBWorker = await enrolledWorker(w.http, w.managers.subB.token, w.subB.id, 'ビー　社員', 'b-worker@example.jp');
    outsiderWorkerId = (
      await w.http.post(
        `/api/v1/organizations/${w.outsider.id}/workers`,
        { name: '外部　社員', email: 'x-worker@example.jp' },
        w.managers.outsider.token,
      )
    ).body.id;
  });
  afterAll(() => t.close());

  type Row = [string, () => Promise<{ status: number }>, Record<string, number>];
  const tokens = () => ({
    otherMunicipality: w.otherStaff.token,
    otherOrganization: w.managers.outsider.token,
    siblingSubcontractor: w.managers.subB.token,
    childSubcontractor: w.managers.subA1.token,
    siblingWorker: subBWorker.token,
  });

  const rows = (): Row[] => {
    const T = tokens();
    const as = (token: string, method: 'GET' | 'POST', url: string, body?: unknown) => () => w.http.call(method, url, body, token);
    const subAWorkers = `/api/v1/organizations/${w.subA.id}/workers`;
    const newUser = (role: string) => ({
      email: `m${Math.random()}@example.jp`,
      displayName: 'x',
      password: 'password-12345',
      role,
      organizationId: w.subA.id,
    });
    const list: Row[] = [
      ...(['otherMunicipality', 'otherOrganization', 'siblingSubcontractor', 'childSubcontractor', 'siblingWorker'] as const).map(
        (who): Row => [`GET organization subA as ${who}`, as(T[who], 'GET', `/api/v1/organizations/${w.subA.id}`), { [who]: 404 }],
      ),
      ['GET engagement', as(T.otherMunicipality, 'GET', w.E), { otherMunicipality: 404 }],
      ['GET engagement', as(T.otherOrganization, 'GET', w.E), { otherOrganization: 404 }],
      ['GET engagement (unassigned worker)', as(T.siblingWorker, 'GET', w.E), { siblingWorker: 404 }],
      ['GET subcontractors', as(T.otherMunicipality, 'GET', `${w.E}/subcontractors`), { otherMunicipality: 404 }],
      ['GET subcontractors', as(T.otherOrganization, 'GET', `${w.E}/subcontractors`), { otherOrganization: 404 }],
      ['GET subcontractors', as(T.siblingWorker, 'GET', `${w.E}/subcontractors`), { siblingWorker: 403 }],
      [
        'POST subcontractor under subA',
        as(T.siblingSubcontractor, 'POST', `${w.E}/subcontractors`, { organizationId: w.outsider.id, parentOrganizationId: w.subA.id }),
        { siblingSubcontractor: 404 },
      ],
      [
        'POST subcontractor',
        as(T.otherMunicipality, 'POST', `${w.E}/subcontractors`, { organizationId: w.outsider.id, parentOrganizationId: w.subA.id }),
        { otherMunicipality: 404 },
      ],
      [
        'POST subcontractor',
        as(T.otherOrganization, 'POST', `${w.E}/subcontractors`, { organizationId: w.outsider.id, parentOrganizationId: w.outsider.id }),
        { otherOrganization: 404 },
      ],
      [
        'POST approval',
        as(T.otherMunicipality, 'POST', `${w.E}/subcontractors/${w.subA1.id}/approval`, {
          approved: true,
          decidedOn: '2026-12-01',
          reference: 'x',
        }),
        { otherMunicipality: 404 },
      ],
      [
        'POST approval',
        as(T.siblingSubcontractor, 'POST', `${w.E}/subcontractors/${w.subA1.id}/approval`, {
          approved: true,
          decidedOn: '2026-12-01',
          reference: 'x',
        }),
        { siblingSubcontractor: 403 },
      ],
      [
        'POST worker into subA',
        as(T.siblingSubcontractor, 'POST', subAWorkers, { name: 'x', email: 'x1@example.jp' }),
        { siblingSubcontractor: 404 },
      ],
      [
        'POST worker into subA',
        as(T.otherOrganization, 'POST', subAWorkers, { name: 'x', email: 'x2@example.jp' }),
        { otherOrganization: 404 },
      ],
      [
        'POST worker into subA',
        as(T.otherMunicipality, 'POST', subAWorkers, { name: 'x', email: 'x3@example.jp' }),
        { otherMunicipality: 404 },
      ],
      ...(['otherMunicipality', 'otherOrganization', 'siblingSubcontractor', 'childSubcontractor'] as const).map((who): Row => [
        `GET subA workers as ${who}`,
        as(T[who], 'GET', subAWorkers),
        { [who]: 404 },
      ]),
      ['GET subA workers', as(T.siblingWorker, 'GET', subAWorkers), { siblingWorker: 403 }],
      [
        'POST import into subA',
        () => w.http.post(`${subAWorkers}/import`, 'name,email\nx,y@example.jp\n', T.siblingSubcontractor, { 'content-type': 'text/csv' }),
        { siblingSubcontractor: 404 },
      ],
      [
        'POST import into subA',
        () => w.http.post(`${subAWorkers}/import`, 'name,email\nx,y@example.jp\n', T.otherOrganization, { 'content-type': 'text/csv' }),
        { otherOrganization: 404 },
      ],
      ['POST codes of subA', as(T.siblingSubcontractor, 'POST', `${subAWorkers}/enrollment-codes`), { siblingSubcontractor: 404 }],
      [
        'POST assign subA worker',
        as(T.siblingSubcontractor, 'POST', `${w.E}/assignments`, { workerIds: [subAWorkerId] }),
        { siblingSubcontractor: 404 },
      ],
      [
        'POST assign own worker, org not on engagement',
        as(T.otherOrganization, 'POST', `${w.E}/assignments`, { workerIds: [outsiderWorkerId] }),
        { otherOrganization: 404 },
      ],
      ['POST assign', as(T.otherMunicipality, 'POST', `${w.E}/assignments`, { workerIds: [subAWorkerId] }), { otherMunicipality: 403 }],
      ...(['otherMunicipality', 'otherOrganization', 'siblingSubcontractor', 'childSubcontractor'] as const).map((who): Row => [
        `POST manager invitation for subA as ${who}`,
        as(T[who], 'POST', `/api/v1/organizations/${w.subA.id}/manager-invitations`, { name: 'x', email: 'boss@x.example.jp' }),
        { [who]: 404 },
      ]),
      [
        'POST manager invitation for subA',
        as(T.siblingWorker, 'POST', `/api/v1/organizations/${w.subA.id}/manager-invitations`, { name: 'x', email: 'boss@x.example.jp' }),
        { siblingWorker: 403 },
      ],
      ['POST user for subA', as(T.siblingSubcontractor, 'POST', '/api/v1/users', newUser('org_manager')), { siblingSubcontractor: 404 }],
      ['POST user for subA', as(T.otherMunicipality, 'POST', '/api/v1/users', newUser('org_manager')), { otherMunicipality: 404 }],
      ['POST user', as(T.siblingWorker, 'POST', '/api/v1/users', newUser('org_manager')), { siblingWorker: 403 }],
      ['POST engagement', as(T.otherOrganization, 'POST', '/api/v1/engagements', {}), { otherOrganization: 403 }],
      [
        'POST municipality',
        as(T.otherMunicipality, 'POST', '/api/v1/municipalities', { name: 'x', code: '343021' }),
        { otherMunicipality: 403 },
      ],
    ];
    return list;
  };

  it('refuses every outsider on every route', async () => {
    const failures: string[] = [];
    for (const [label, call, expected] of rows()) {
      const [[who, status]] = Object.entries(expected);
      const r = await call();
      if (r.status !== status) failures.push(`${label} as ${who}: expected ${status}, got ${r.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('serves the rightful callers on the same routes', async () => {
    const ok = async (p: Promise<{ status: number }>) => (await p).status;
    expect(await ok(w.http.get(`/api/v1/organizations/${w.subA.id}`, w.managers.prime.token))).toBe(200); // an ancestor
    expect(await ok(w.http.get(`/api/v1/organizations/${w.subA.id}`, w.staff.token))).toBe(200);
    expect(await ok(w.http.get(`/api/v1/organizations/${w.subA.id}/workers`, w.managers.prime.token))).toBe(200);
    expect(await ok(w.http.get(`/api/v1/organizations/${w.subA.id}/workers`, w.staff.token))).toBe(200);
    expect(await ok(w.http.get(`/api/v1/organizations/${w.subA.id}/workers`, w.managers.subA.token))).toBe(200);
    expect(await ok(w.http.get(w.E, w.managers.subA1.token))).toBe(200);
    // A sibling sees the engagement, but only its own part of the tree.
    const sib = await w.http.get(`${w.E}/subcontractors`, w.managers.subB.token);
    expect(sib.body.items.map((l: any) => l.organizationId)).toEqual([w.subB.id]);
    const a = await w.http.get(`${w.E}/subcontractors`, w.managers.subA.token);
    expect(a.body.items.map((l: any) => l.organizationId).sort()).toEqual([w.subA.id, w.subA1.id].sort());
  });
});

/**
 * Multi-step chains: every foreign actor first builds what ids alone let it
 * build (town staff name subA as their prime and as a subcontractor; managers
 * get an engagement of their own from a friendly town and name subA below
 * themselves, left pending, refused, or even approved), then tries every way
 * to subA's people and to control of subA. None may work: people are visible
 * through their own managers' assignments only, and subA is controlled by its
 * own managers only.
 */
describe('access matrix: multi-step chains', () => {
  let t: TestApp;
  let w: World;
  let serial: string;
  const people = ['エー　配置済み', 'a-assigned@example.jp', 'エー　未登録', 'a-unenrolled@example.jp'];
  const leaks = (text: string) => people.filter((p) => text.includes(p));
  let counter = 0;
  const engagementBody = (primeContractorId: string) => ({
    title: 'chain',
    contractNumber: `C-${++counter}`,
    primeContractorId,
    startsOn: '2026-12-01',
    endsOn: '2027-03-31',
    handlesPersonalInfo: false,
    handlesMyNumber: false,
    usesCloudStorage: false,
  });
  let actors: { who: string; token: string; worker?: boolean; setUp: () => Promise<void> }[];

  beforeAll(async () => {
    t = await createTestApp();
    w = await buildWorld(t);
    const a = await enrolledWorker(w.http, w.managers.subA.token, w.subA.id, 'エー　配置済み', 'a-assigned@example.jp');
    await w.http.post(
      `/api/v1/organizations/${w.subA.id}/workers`,
      { name: 'エー　未登録', email: 'a-unenrolled@example.jp' },
      w.managers.subA.token,
    );
    await w.http.post(`${w.E}/assignments`, { workerIds: [a.workerId] }, w.managers.subA.token);
    for (const m of w.engagement.curriculum) await sit(t, w.http, a.token, m, w.engagement.id);
    serial = (await w.http.get('/api/v1/me/certificates', a.token)).body[0].serial;
    const subBWorker = await enrolledWorker(w.http, w.managers.subB.token, w.subB.id, 'ビー　社員', 'b-chain@example.jp');

    /** A manager gets three engagements of a friendly town with their company as prime, and names subA below it on each. */
    const nameBelow = (token: string, ownOrgId: string) => async () => {
      for (const decision of ['pending', 'refused', 'approved'] as const) {
        const e = (await w.http.post('/api/v1/engagements', engagementBody(ownOrgId), w.otherStaff.token)).body.id;
        const link = await w.http.post(
          `/api/v1/engagements/${e}/subcontractors`,
          { organizationId: w.subA.id, parentOrganizationId: ownOrgId },
          token,
        );
        expect(link.status).toBe(201);
        if (decision !== 'pending')
          await w.http.post(
            `/api/v1/engagements/${e}/subcontractors/${w.subA.id}/approval`,
            { approved: decision === 'approved', decidedOn: '2026-12-01', reference: 'x' },
            w.otherStaff.token,
          );
      }
    };
    actors = [
      {
        who: 'otherMunicipality',
        token: w.otherStaff.token,
        setUp: async () => {
          // Name subA as prime, and as a subcontractor of another prime: pending, then refused.
          expect((await w.http.post('/api/v1/engagements', engagementBody(w.subA.id), w.otherStaff.token)).status).toBe(201);
          const e = (await w.http.post('/api/v1/engagements', engagementBody(w.outsider.id), w.otherStaff.token)).body.id;
          const link = { organizationId: w.subA.id, parentOrganizationId: w.outsider.id };
          expect((await w.http.post(`/api/v1/engagements/${e}/subcontractors`, link, w.otherStaff.token)).status).toBe(201);
          const refuse = { approved: false, decidedOn: '2026-12-01', reference: 'x' };
          expect(
            (await w.http.post(`/api/v1/engagements/${e}/subcontractors/${w.subA.id}/approval`, refuse, w.otherStaff.token)).status,
          ).toBe(200);
        },
      },
      { who: 'otherOrganization', token: w.managers.outsider.token, setUp: nameBelow(w.managers.outsider.token, w.outsider.id) },
      { who: 'siblingSubcontractor', token: w.managers.subB.token, setUp: nameBelow(w.managers.subB.token, w.subB.id) },
      { who: 'childSubcontractor', token: w.managers.subA1.token, setUp: nameBelow(w.managers.subA1.token, w.subA1.id) },
      {
        who: 'siblingWorker',
        token: subBWorker.token,
        worker: true,
        setUp: async () => {
          expect((await w.http.post('/api/v1/engagements', engagementBody(w.subA.id), subBWorker.token)).status).toBe(403);
        },
      },
    ];
  }, 60_000);
  afterAll(() => t.close());

  it('grants no foreign actor subA’s people or control of subA, whatever it named first', async () => {
    const failures: string[] = [];
    const subA = `/api/v1/organizations/${w.subA.id}`;
    for (const actor of actors) {
      await actor.setUp();
      const refused = actor.worker ? 403 : 404;
      const check = (label: string, ok: boolean) => ok || failures.push(`${actor.who}: ${label}`);
      const list = await w.http.get(`${subA}/workers`, actor.token);
      check(
        `lists subA's workers (${list.status})`,
        leaks(list.text).length === 0 && (list.status !== 200 || list.body.items.length === 0),
      );
      const manager = await w.http.post(
        '/api/v1/users',
        { role: 'org_manager', organizationId: w.subA.id, email: `${actor.who}@example.jp`, displayName: 'x', password: 'password-12345' },
        actor.token,
      );
      check(`creates a manager of subA (${manager.status})`, manager.status === refused);
      const codes = await w.http.post(`${subA}/workers/enrollment-codes`, undefined, actor.token);
      check(`issues subA's codes (${codes.status})`, codes.status === refused && leaks(codes.text).length === 0);
      const imported = await w.http.post(`${subA}/workers/import?includeCodes=true`, 'name,email\nx,y@example.jp\n', actor.token, {
        'content-type': 'text/csv',
      });
      check(`imports into subA with codes (${imported.status})`, imported.status === refused);
      const added = await w.http.post(`${subA}/workers`, { name: 'x', email: `${actor.who}-w@example.jp` }, actor.token);
      check(`registers a worker in subA (${added.status})`, added.status === refused);
      for (const path of ['progress', 'progress?format=csv', 'readiness', 'report']) {
        const r = await w.http.get(`${w.E}/${path}`, actor.token);
        check(`reads ${path} of the engagement (${r.status})`, leaks(r.text).length === 0);
      }
      const cert = await w.http.get(`/api/v1/certificates/${serial}`, actor.token);
      check(`sees the holder of subA's certificate`, cert.status === 200 && !cert.body.holder.name && leaks(cert.text).length === 0);
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it('still serves subA’s own manager and the ancestors over approved links', async () => {
    const own = await w.http.get(`/api/v1/organizations/${w.subA.id}/workers`, w.managers.subA.token);
    expect(own.body.items.map((x: any) => x.name).sort()).toEqual(['エー　未登録', 'エー　配置済み'].sort());
    // The prime above it (approved link) and the town see the assigned worker only.
    for (const token of [w.managers.prime.token, w.staff.token]) {
      const r = await w.http.get(`/api/v1/organizations/${w.subA.id}/workers`, token);
      expect(r.body.items.map((x: any) => x.name)).toEqual(['エー　配置済み']);
    }
    expect((await w.http.get(`/api/v1/certificates/${serial}`, w.managers.prime.token)).body.holder.name).toBe('エー　配置済み');
  });
});
