import { buildWorld, enrolledWorker, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';

/**
 * The refusal matrix: for every route, callers from another municipality,
 * another organization and a sibling subcontractor are refused (404 where the
 * thing exists but is not theirs to see, 403 where their role may never do it,
 * 409 where the API names it), while the rightful caller is served.
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
        { siblingSubcontractor: 403 },
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
        { otherMunicipality: 403 },
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
        { otherOrganization: 409 },
      ],
      ['POST assign', as(T.otherMunicipality, 'POST', `${w.E}/assignments`, { workerIds: [subAWorkerId] }), { otherMunicipality: 403 }],
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
