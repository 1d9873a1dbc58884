import { buildWorld, corporateNumber, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';
import { csrfOf, pageClient, PageClient } from '../utils/page-client';
import { PASSWORD } from '../factories/world';

/**
 * Each form that registers a new organization together with what it is for
 * (the town's engagement with a new prime, the manager's new subcontractor)
 * is one use case in one transaction: a refusal leaves nothing behind.
 */
describe('one transaction per use case', () => {
  let t: TestApp;
  let w: World;
  const organizations = async () => (await t.query<{ name: string }>('SELECT name FROM organizations')).map((o) => o.name);
  const engagements = async () => (await t.query('SELECT id FROM engagements')).length;

  const signIn = async (email: string): Promise<PageClient> => {
    const b = pageClient(t.app);
    const r = await b.submit('/', '/login', { email, password: PASSWORD });
    if (r.status !== 303) throw new Error(`sign-in ${email}: ${r.status}`);
    return b;
  };

  beforeAll(async () => {
    t = await createTestApp();
    w = await buildWorld(t);
  }, 60_000);
  afterAll(() => t.close());

  describe("the town's new engagement with a new prime", () => {
    let b: PageClient;
    let fields: Record<string, string | string[]>;
    beforeAll(async () => {
      b = await signIn(w.staff.email);
      const form = await b.get('/town/engagements/new');
      fields = {
        _csrf: csrfOf(form.text),
        title: '新規元請の業務',
        contractNumber: 'R8-UC-1',
        primeContractorId: 'new',
        newPrimeName: '新元請株式会社',
        newPrimeCorporateNumber: corporateNumber(901),
        startsOn: '2027-04-01',
        endsOn: '2028-03-31',
        handlesPersonalInfo: 'on',
        certificateValidityDays: '365',
      };
    });

    it('leaves no organization behind when the contract number is taken (409)', async () => {
      const [orgsBefore, engagementsBefore] = [await organizations(), await engagements()];
      const r = await b.post('/town/engagements', { ...fields, contractNumber: 'R8-001' });
      expect(r.status).toBe(409);
      expect(r.text).toContain('この契約番号は既に登録されています');
      expect(await organizations()).toEqual(orgsBefore);
      expect(await engagements()).toBe(engagementsBefore);
    });

    it('leaves no organization behind on an end before the start or an unknown module (400)', async () => {
      const orgsBefore = await organizations();
      expect((await b.post('/town/engagements', { ...fields, endsOn: '2027-03-31' })).status).toBe(400);
      expect((await b.post('/town/engagements', { ...fields, extraModuleIds: ['no-such-module'] })).status).toBe(400);
      expect(await organizations()).toEqual(orgsBefore);
    });

    it('leaves no engagement behind when the corporate number is taken (409)', async () => {
      const taken = (
        await t.query<{ corporate_number: string }>('SELECT corporate_number FROM organizations WHERE id = ?', [w.prime.id])
      )[0];
      const engagementsBefore = await engagements();
      const r = await b.post('/town/engagements', { ...fields, newPrimeCorporateNumber: taken.corporate_number });
      expect(r.status).toBe(409);
      expect(r.text).toContain('法人番号');
      expect(await engagements()).toBe(engagementsBefore);
    });

    it('creates both together when nothing is wrong', async () => {
      const r = await b.post('/town/engagements', fields);
      expect(r.status).toBe(303);
      expect(await organizations()).toContain('新元請株式会社');
      const [e] = await t.query<{ prime_organization_id: string }>(
        'SELECT prime_organization_id FROM engagements WHERE contract_number = ?',
        ['R8-UC-1'],
      );
      const [o] = await t.query<{ id: string; created_by_municipality_id: string }>(
        'SELECT id, created_by_municipality_id FROM organizations WHERE name = ?',
        ['新元請株式会社'],
      );
      expect(e.prime_organization_id).toBe(o.id);
      expect(o.created_by_municipality_id).toBe(w.fuchu.id);
    });
  });

  describe("the manager's new company as subcontractor", () => {
    it('leaves no organization behind when the link is refused (409) or the corporate number is taken (409)', async () => {
      // subB's own link is refused: it may not take subcontractors.
      await w.http.post(
        `${w.E}/subcontractors/${w.subB.id}/approval`,
        { approved: false, decidedOn: '2026-12-01', reference: '府総第9号' },
        w.staff.token,
      );
      const b = await signIn(w.managers.subB.email);
      const page = `/manager/engagements/${w.engagement.id}`;
      const action = `${page}/subcontractors`;
      const before = await organizations();
      const refused = await b.submit(page, action, { name: '孫請株式会社', corporateNumber: corporateNumber(902) });
      expect(refused.status).toBe(409);
      expect(await organizations()).toEqual(before);

      const prime = await signIn(w.managers.prime.email);
      const [taken] = await t.query<{ corporate_number: string }>('SELECT corporate_number FROM organizations WHERE id = ?', [
        w.outsider.id,
      ]);
      const dup = await prime.submit(page, action, { name: '重複株式会社', corporateNumber: taken.corporate_number });
      expect(dup.status).toBe(409);
      expect(await organizations()).toEqual(before);
      const links = (await w.http.get(`${w.E}/subcontractors`, w.staff.token)).body.items.length;

      const ok = await prime.submit(page, action, { name: '新下請株式会社' });
      expect(ok.status).toBe(303);
      expect(await organizations()).toContain('新下請株式会社');
      expect((await w.http.get(`${w.E}/subcontractors`, w.staff.token)).body.items).toHaveLength(links + 1);
    });
  });
});
