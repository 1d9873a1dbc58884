import { useWorld, World } from '../factories/world';

describe('engagements and subcontracting (Article 5)', () => {
  let w: World;
  useWorld((_t, world) => (w = world));

  it('derives the curriculum from the flags plus the extras', async () => {
    const e = w.engagement;
    expect(e.curriculum).toContain('basics');
    expect(e.curriculum).toContain('personal-information'); // handlesPersonalInfo
    expect(e.curriculum).not.toContain('my-number'); // handlesMyNumber is false
    const withExtra = await w.http.post(
      '/api/v1/engagements',
      {
        title: '税務システム改修',
        contractNumber: 'R8-002',
        primeContractorId: w.prime.id,
        startsOn: '2027-02-01',
        endsOn: '2027-12-31',
        handlesPersonalInfo: false,
        handlesMyNumber: false,
        usesCloudStorage: false,
        extraModuleIds: ['my-number'],
        certificateValidityDays: 400,
      },
      w.staff.token,
    );
    expect(withExtra.status).toBe(201);
    expect(withExtra.body.curriculum).toContain('my-number');
    expect(withExtra.body.curriculum).not.toContain('personal-information');
    expect(withExtra.body).toMatchObject({ municipalityId: w.fuchu.id, certificateValidityDays: 400, passMark: null });
  });

  it('builds a tree of any depth, each link pending until the town decides', async () => {
    const list = await w.http.get(`${w.E}/subcontractors`, w.staff.token);
    expect(list.status).toBe(200);
    const byOrg = Object.fromEntries(list.body.items.map((l: any) => [l.organizationId, l]));
    expect(byOrg[w.subA.id]).toMatchObject({
      tier: 1,
      status: 'approved',
      decidedOn: '2026-12-01',
      reference: '府総第101号',
      parentOrganizationId: w.prime.id,
    });
    expect(byOrg[w.subB.id]).toMatchObject({ tier: 1, status: 'pending_approval' });
    expect(byOrg[w.subA1.id]).toMatchObject({ tier: 2, status: 'pending_approval', parentOrganizationId: w.subA.id });
  });

  it('refuses duplicates and cycles with 409, and unknown parents', async () => {
    const add = (organizationId: string, parentOrganizationId: string, token = w.staff.token) =>
      w.http.post(`${w.E}/subcontractors`, { organizationId, parentOrganizationId }, token);
    expect((await add(w.subA.id, w.prime.id)).status).toBe(409); // already there
    expect((await add(w.prime.id, w.subA1.id)).status).toBe(409); // the prime under its own subcontractor
    expect((await add(w.subA.id, w.subA1.id)).status).toBe(409); // A under its own child
    expect((await add(w.outsider.id, w.outsider.id)).status).toBe(409); // parent not on the engagement
    expect((await add('00000000-0000-4000-8000-00000000dead', w.prime.id)).status).toBe(404);
  });

  it('lets only the town decide, once, with date and reference', async () => {
    const url = `${w.E}/subcontractors/${w.subB.id}/approval`;
    const body = { approved: false, decidedOn: '2026-12-02', reference: '府総第102号' };
    expect((await w.http.post(url, body, w.managers.prime.token)).status).toBe(403);
    expect((await w.http.post(url, body, w.otherStaff.token)).status).toBe(404);
    expect((await w.http.post(url, { approved: true }, w.staff.token)).status).toBe(400);
    const r = await w.http.post(url, body, w.staff.token);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'rejected', reference: '府総第102号' });
    expect((await w.http.post(url, { ...body, approved: true }, w.staff.token)).status).toBe(409);
    // A refused organization cannot take subcontractors of its own.
    const child = await w.http.post(
      `${w.E}/subcontractors`,
      { organizationId: w.outsider.id, parentOrganizationId: w.subB.id },
      w.staff.token,
    );
    expect(child.status).toBe(409);
  });

  it('lists engagements by role, paginated', async () => {
    for (let i = 0; i < 3; i++)
      await w.http.post(
        '/api/v1/engagements',
        {
          title: `追加業務${i}`,
          contractNumber: `R8-P${i}`,
          primeContractorId: w.subB.id,
          startsOn: `2027-0${i + 3}-01`,
          endsOn: '2027-12-31',
          handlesPersonalInfo: false,
          handlesMyNumber: false,
          usesCloudStorage: false,
        },
        w.staff.token,
      );
    const first = await w.http.get('/api/v1/engagements?limit=2', w.staff.token);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const seen = [...first.body.items];
    let cursor = first.body.nextCursor;
    while (cursor) {
      const next = await w.http.get(`/api/v1/engagements?limit=2&cursor=${cursor}`, w.staff.token);
      seen.push(...next.body.items);
      cursor = next.body.nextCursor;
    }
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect((await w.http.get('/api/v1/engagements?limit=501', w.staff.token)).status).toBe(400);
    expect((await w.http.get('/api/v1/engagements?cursor=garbage!', w.staff.token)).status).toBe(400);
    const otherTown = await w.http.get('/api/v1/engagements', w.otherStaff.token);
    expect(otherTown.body.items).toEqual([]);
    const subB = await w.http.get('/api/v1/engagements?limit=500', w.managers.subB.token);
    expect(subB.body.items.map((e: any) => e.title).sort()).toEqual([
      '住民情報システム運用保守業務',
      '追加業務0',
      '追加業務1',
      '追加業務2',
    ]);
    const outsider = await w.http.get('/api/v1/engagements', w.managers.outsider.token);
    expect(outsider.body.items).toEqual([]);
  });
});
