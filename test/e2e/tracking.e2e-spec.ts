import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SubcontractLink } from '../../src/engagements/subcontract-link.entity';
import { Organization } from '../../src/organizations/organization.entity';
import { Assignment } from '../../src/workers/assignment.entity';
import { Worker } from '../../src/workers/worker.entity';
import { canonicalJson, sha256Hex } from '../../src/common/canonical-json';
import { parseCsv } from '../../src/common/csv/csv';
import { useWorld, enrolledWorker, World } from '../factories/world';
import type { TestApp } from '../utils/create-app';
import { sit } from '../utils/quiz';

describe('progress, readiness and the Article 11 report', () => {
  let t: TestApp;
  let w: World;
  const readiness = async () => (await w.http.get(`${w.E}/readiness`, w.staff.token)).body;
  const types = (r: any) => r.blockers.map((b: any) => b.type).sort();

  useWorld((app, world) => ([t, w] = [app, world]));

  it('is not ready with nobody assigned and subcontractors pending', async () => {
    const r = await readiness();
    expect(r.ready).toBe(false);
    expect(types(r)).toEqual(['no_workers_assigned', 'subcontractor_not_approved', 'subcontractor_not_approved']);
    expect(
      r.blockers
        .filter((b: any) => b.type === 'subcontractor_not_approved')
        .map((b: any) => b.organizationId)
        .sort(),
    ).toEqual([w.subA1.id, w.subB.id].sort());
    expect(r.counts.blockersByType).toMatchObject({ no_workers_assigned: 1, subcontractor_not_approved: 2 });
  });

  let primeWorker: { token: string; workerId: string };
  let subWorker: { token: string; workerId: string };

  it('names each uncertified worker, then clears as they certify and links are approved', async () => {
    primeWorker = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '元請　一郎', 'p1@example.jp');
    subWorker = await enrolledWorker(w.http, w.managers.subA.token, w.subA.id, '一次　二郎', 'a1@example.jp');
    await w.http.post(`${w.E}/assignments`, { workerIds: [primeWorker.workerId] }, w.managers.prime.token);
    await w.http.post(`${w.E}/assignments`, { workerIds: [subWorker.workerId] }, w.managers.subA.token);
    let r = await readiness();
    expect(types(r)).toEqual(['subcontractor_not_approved', 'subcontractor_not_approved', 'worker_not_certified', 'worker_not_certified']);
    expect(r.blockers.find((b: any) => b.workerId === subWorker.workerId)).toMatchObject({
      organizationId: w.subA.id,
      workerName: '一次　二郎',
      progress: 'not_started',
    });

    for (const m of w.engagement.curriculum) await sit(t, w.http, primeWorker.token, m, w.engagement.id);
    for (const m of w.engagement.curriculum) await sit(t, w.http, subWorker.token, m, w.engagement.id);
    r = await readiness();
    expect(types(r)).toEqual(['subcontractor_not_approved', 'subcontractor_not_approved']);

    await w.http.post(
      `${w.E}/subcontractors/${w.subA1.id}/approval`,
      { approved: true, decidedOn: '2026-12-05', reference: '府総第105号' },
      w.staff.token,
    );
    // A refused organization with nobody assigned does not hold the contract up.
    await w.http.post(
      `${w.E}/subcontractors/${w.subB.id}/approval`,
      { approved: false, decidedOn: '2026-12-05', reference: '府総第106号' },
      w.staff.token,
    );
    r = await readiness();
    expect(r).toMatchObject({ ready: true, blockers: [], counts: { assigned: 2, certified: 2 } });
  });

  it('flags certificates that expire before the engagement ends', async () => {
    const [cert] = await t.query('SELECT serial FROM certificates WHERE worker_id = ? AND status = ?', [primeWorker.workerId, 'valid']);
    await t.query('UPDATE certificates SET valid_until = ? WHERE serial = ?', ['2027-06-30T00:00:00.000Z', cert.serial]);
    const r = await readiness();
    expect(r.ready).toBe(false);
    expect(r.blockers).toEqual([
      expect.objectContaining({ type: 'certificate_expires_before_end', serial: cert.serial, workerId: primeWorker.workerId }),
    ]);
    await t.query('UPDATE certificates SET valid_until = ? WHERE serial = ?', ['2030-01-01T00:00:00.000Z', cert.serial]);
    expect((await readiness()).ready).toBe(true);
  });

  it('is for the town and the prime’s managers only', async () => {
    expect((await w.http.get(`${w.E}/readiness`, w.managers.prime.token)).status).toBe(200);
    // Others on the engagement are answered like strangers: 404, not 403.
    expect((await w.http.get(`${w.E}/readiness`, w.managers.subA.token)).status).toBe(404);
    expect((await w.http.get(`${w.E}/readiness`, w.otherStaff.token)).status).toBe(404);
  });

  it('reports progress per organization tier; a manager sees only their subtree', async () => {
    const all = await w.http.get(`${w.E}/progress`, w.staff.token);
    expect(all.status).toBe(200);
    expect(all.body.organizations.map((o: any) => o.tier)).toEqual(expect.arrayContaining([0, 1, 1, 2]));
    expect(all.body.totals).toMatchObject({ assigned: 2, certified: 2 });
    const p = all.body.organizations.find((o: any) => o.id === w.prime.id);
    expect(p.workers[0]).toMatchObject({ name: '元請　一郎', status: 'certified', certificate: { status: 'valid' } });
    expect(p.workers[0].modules[0]).toMatchObject({ status: 'completed', attempts: 1, bestScore: 100 });
    const sub = await w.http.get(`${w.E}/progress`, w.managers.subA.token);
    expect(sub.body.organizations.map((o: any) => o.id).sort()).toEqual([w.subA.id, w.subA1.id].sort());
    expect(JSON.stringify(sub.body)).not.toContain('元請　一郎');
    expect((await w.http.get(`${w.E}/progress?organizationId=${w.prime.id}`, w.managers.subA.token)).status).toBe(404);
  });

  it('filters and paginates', async () => {
    const more = await Promise.all(
      [0, 1, 2].map((i) =>
        w.http.post(
          `/api/v1/organizations/${w.prime.id}/workers`,
          { name: `未着手\u3000${i}`, email: `ns${i}@example.jp` },
          w.managers.prime.token,
        ),
      ),
    );
    await w.http.post(`${w.E}/assignments`, { workerIds: more.map((m) => m.body.id) }, w.managers.prime.token);
    // Registered, never enrolled: 未登録 (not_enrolled), told apart from the enrolled who have not started.
    const ns = await w.http.get(`${w.E}/progress?status=not_enrolled`, w.staff.token);
    expect(ns.body.totals).toMatchObject({ notEnrolled: 3 });
    expect(ns.body.byOrganization[w.prime.id]).toMatchObject({ notEnrolled: 3 });
    const notStarted = await w.http.get(`${w.E}/progress?status=not_started`, w.staff.token);
    expect(notStarted.body.organizations.flatMap((o: any) => o.workers).map((x: any) => x.name)).not.toContain('未着手　0');
    expect(
      ns.body.organizations
        .flatMap((o: any) => o.workers)
        .map((x: any) => x.name)
        .sort(),
    ).toEqual(['未着手　0', '未着手　1', '未着手　2']);
    const certified = await w.http.get(`${w.E}/progress?status=certified`, w.staff.token);
    expect(certified.body.organizations.flatMap((o: any) => o.workers)).toHaveLength(2);
    const seen: string[] = [];
    let cursor: string | null = '';
    do {
      const page: any = await w.http.get(`${w.E}/progress?limit=2${cursor ? `&cursor=${cursor}` : ''}`, w.staff.token);
      seen.push(...page.body.organizations.flatMap((o: any) => o.workers.map((x: any) => x.id)));
      cursor = page.body.nextCursor;
      if (cursor) expect(Buffer.from(cursor, 'base64url').toString('utf8')).not.toMatch(/未着手|元請|一次/);
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect((await w.http.get(`${w.E}/progress?status=bogus`, w.staff.token)).status).toBe(400);
  });

  it('exports CSV with a BOM, Japanese headers and one row per worker', async () => {
    const r = await w.http.get(`${w.E}/progress`, w.staff.token, { accept: 'text/csv' });
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toContain('text/csv');
    expect(r.text.charCodeAt(0)).toBe(0xfeff);
    const { rows } = parseCsv(r.text.slice(1));
    expect(rows[0].slice(0, 4)).toEqual(['組織', '階層', '承認状況', '氏名']);
    expect(rows).toHaveLength(1 + 5);
    expect(rows.find((x) => x[3] === '元請　一郎')![5]).toBe('修了証あり');
    const en = await w.http.get(`${w.E}/progress?format=csv&lang=en`, w.staff.token);
    expect(parseCsv(en.text.slice(1)).rows[0].slice(0, 4)).toEqual(['Organization', 'Tier', 'Approval', 'Name']);
  });

  it('produces the Article 11 report as data with a verifiable digest, and as a printable page', async () => {
    const r = await w.http.get(`${w.E}/report`, w.staff.token);
    expect(r.status).toBe(200);
    expect(r.body.digest.value).toBe(sha256Hex(canonicalJson(r.body.report)));
    expect(r.body.report.subcontractors.find((s: any) => s.organizationId === w.subA.id)).toMatchObject({
      status: 'approved',
      reference: '府総第101号',
      tier: 1,
    });
    expect(r.body.report.certifiedWorkers).toHaveLength(2);
    // The revision each completion was earned on: the module's current revision (from the catalog).
    const first = r.body.report.certifiedWorkers[0].modules[0];
    const catalog = (await w.http.get('/api/v1/modules', w.staff.token)).body;
    expect(first).toMatchObject({ moduleId: expect.any(String), revision: catalog.find((m: any) => m.id === first.moduleId).revision });
    // What generated it (Articles 9-2 and 12): the version, the runtime and its end of life.
    expect(r.body.report.system).toMatchObject({
      service: 'article4-lms',
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      node: process.versions.node,
      nodeEndOfLife: '2028-04-30',
      nodeSupport: 'supported',
    });
    // One byte changed in the filed data: the digest no longer matches.
    const tampered = { ...r.body.report, totals: { ...r.body.report.totals, certified: 3 } };
    expect(sha256Hex(canonicalJson(tampered))).not.toBe(r.body.digest.value);
    const page = await t.app.inject({
      method: 'GET',
      url: `/engagements/${w.engagement.id}/report`,
      headers: { authorization: `Bearer ${w.staff.token}` },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('遵守状況報告書');
    expect(page.body).toContain('府総第101号');
    expect(page.body).toMatch(/[0-9a-f]{64}/);
    expect(page.body).toContain(`Node.js ${process.versions.node}`);
    const en = await t.app.inject({
      method: 'GET',
      url: `/engagements/${w.engagement.id}/report?lang=en`,
      headers: { authorization: `Bearer ${w.staff.token}` },
    });
    expect(en.body).toContain('Each person assigned');
    expect(en.body).toContain('To the Mayor of');
    // Japanese labels everywhere: tiers by name, modules by title, the addressee as the head of the town, every person.
    expect(page.body).toContain(`${w.fuchu.name}長 様`);
    expect(page.body).not.toMatch(/（\d{6}） 宛/);
    expect(page.body).toContain('元請');
    expect(page.body).toContain('第1次再委託先');
    expect(page.body).not.toMatch(/\b[a-z][a-z-]+ r\d+\b/);
    expect(page.body).toContain('特記事項の基本と教育の義務');
    expect(page.body).toMatch(/第1、第2、第4/);
    expect(page.body).toContain('5. 従事者ごとの状況');
    for (const x of r.body.report.workers) expect(page.body).toContain(x.name);
    expect(r.body.report.workers.length).toBeGreaterThan(r.body.report.certifiedWorkers.length);
    expect(page.body).toContain('src="/assets/print-button.js"');
    expect(page.body).toContain(`href="/engagements/${w.engagement.id}/readiness"`);
    expect((await w.http.get(`${w.E}/report`, w.managers.subA.token)).status).toBe(404);
  });

  it('records report generation and CSV exports in the audit trail', async () => {
    const events = await t.query('SELECT action, details FROM audit_events WHERE engagement_id = ? ORDER BY seq', [w.engagement.id]);
    const actions = events.map((e: any) => e.action);
    expect(actions).toContain('report.generated');
    expect(actions.filter((a: string) => a === 'export.downloaded')).toHaveLength(2);
    const report = events.find((e: any) => e.action === 'report.generated');
    expect(JSON.parse(report.details).digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lists the workers in one tree order in the progress pages, the CSV and the Article 11 report', async () => {
    // Two workers of the same name in one organization: the id decides between them, the same way everywhere.
    const twins = await Promise.all(
      ['a', 'b'].map((x) =>
        w.http.post(
          `/api/v1/organizations/${w.prime.id}/workers`,
          { name: '同名\u3000太郎', email: `twin-${x}@example.jp`, employeeNumber: `T-${x}` },
          w.managers.prime.token,
        ),
      ),
    );
    await w.http.post(`${w.E}/assignments`, { workerIds: twins.map((x) => x.body.id) }, w.managers.prime.token);
    const pages: { id: string; name: string; certified: boolean }[] = [];
    let cursor: string | null = '';
    do {
      const page: any = await w.http.get(`${w.E}/progress?limit=2${cursor ? `&cursor=${cursor}` : ''}`, w.staff.token);
      for (const o of page.body.organizations)
        for (const x of o.workers) pages.push({ id: x.id, name: x.name, certified: ['certified', 'expiring'].includes(x.status) });
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(pages).toHaveLength(7);
    const twinIds = twins.map((x) => x.body.id as string).sort();
    expect(pages.filter((x) => x.name === '同名\u3000太郎').map((x) => x.id)).toEqual(twinIds);

    const csv = await w.http.get(`${w.E}/progress?format=csv`, w.staff.token);
    const csvRows = parseCsv(csv.text.slice(1)).rows.slice(1);
    expect(csvRows.map((r) => r[3])).toEqual(pages.map((x) => x.name));
    // The twins told apart by their employee numbers: in the CSV too, the id decides.
    const numberOf = new Map(twins.map((x, i) => [x.body.id as string, `T-${'ab'[i]}`]));
    expect(csvRows.filter((r) => r[3] === '同名\u3000太郎').map((r) => r[4])).toEqual(twinIds.map((id) => numberOf.get(id)));
    const report = (await w.http.get(`${w.E}/report`, w.staff.token)).body.report;
    expect(report.workers.map((x: any) => x.workerId)).toEqual(pages.map((x) => x.id));
    expect(report.certifiedWorkers.map((x: any) => x.workerId)).toEqual(pages.filter((x) => x.certified).map((x) => x.id));
  });
});

describe('tracking at scale', () => {
  let t: TestApp;
  let w: World;
  useWorld((app, world) => ([t, w] = [app, world]));

  /** 50 organizations over 3 tiers, `perOrg` workers each, assigned; a third of them with completions. */
  async function populate(ds: DataSource, perOrg: number) {
    const orgs: { id: string; parent: string; tier: number }[] = [];
    for (let i = 0; i < 49; i++) {
      const tier = i < 9 ? 1 : i < 29 ? 2 : 3;
      const parents = tier === 1 ? [{ id: w.prime.id }] : orgs.filter((o) => o.tier === tier - 1);
      orgs.push({ id: randomUUID(), parent: parents[i % parents.length].id, tier });
    }
    await ds.transaction(async (m) => {
      const at = new Date();
      await m.insert(
        Organization,
        orgs.map((o, i) => ({ id: o.id, name: `協力会社${i}`, corporateNumber: null, createdAt: at })),
      );
      await m.insert(
        SubcontractLink,
        orgs.map((o) => ({
          id: randomUUID(),
          engagementId: w.engagement.id,
          organizationId: o.id,
          parentOrganizationId: o.parent,
          tier: o.tier,
          status: 'approved' as const,
          createdAt: at,
        })),
      );
      let n = 0;
      for (const organizationId of [w.prime.id, ...orgs.map((o) => o.id)]) {
        const workers = Array.from({ length: perOrg }, () => ({
          id: randomUUID(),
          organizationId,
          name: `従事者${n}`,
          email: `s${n++}@scale.example.jp`,
          createdAt: at,
          updatedAt: at,
        }));
        for (let i = 0; i < workers.length; i += 100) {
          const chunk = workers.slice(i, i + 100);
          await m.insert(Worker, chunk);
          await m.insert(
            Assignment,
            chunk.map((x) => ({ engagementId: w.engagement.id, workerId: x.id, assignedBy: w.staff.id, assignedAt: at })),
          );
        }
      }
    });
  }

  /**
   * The SQL statements a request runs. On PostgreSQL a streamed read (forEachRow) is one statement
   * declared as a cursor in a transaction of its own: its FETCHes continue it and its BEGIN/COMMIT
   * bracket it, so neither counts as another statement.
   */
  async function countQueries<T>(work: () => Promise<T>): Promise<number> {
    const runner = t.dataSource.createQueryRunner();
    const proto = Object.getPrototypeOf(runner);
    await runner.release();
    const spy = jest.spyOn(proto, 'query');
    try {
      await work();
      return spy.mock.calls.filter(([sql]) => !/^(START TRANSACTION|COMMIT|FETCH FORWARD )/.test(String(sql))).length;
    } finally {
      spy.mockRestore();
    }
  }

  it('computes progress and readiness for 10,000 workers in 50 organizations with a fixed number of queries', async () => {
    const token = w.staff.token;
    const small = {
      progress: await countQueries(() => w.http.get(`${w.E}/progress?limit=500`, token)),
      readiness: await countQueries(() => w.http.get(`${w.E}/readiness`, token)),
    };
    await populate(t.dataSource, 200);
    const [{ n }] = await t.query('SELECT COUNT(*) AS n FROM assignments WHERE engagement_id = ?', [w.engagement.id]);
    expect(Number(n)).toBe(10_000);
    let body: any;
    const big = {
      progress: await countQueries(async () => (body = (await w.http.get(`${w.E}/progress?limit=500`, token)).body)),
      readiness: await countQueries(() => w.http.get(`${w.E}/readiness`, token)),
    };
    expect(big).toEqual(small);
    expect(big.progress).toBeLessThanOrEqual(10);
    expect(body.totals.assigned).toBe(10_000);
    expect(body.organizations).toHaveLength(49 + 4); // the 49 added, the prime and the world’s three subcontractors
    expect(new Set(body.organizations.map((o: any) => o.tier))).toEqual(new Set([0, 1, 2, 3]));
  });
});
