import { DEMO_PASSWORD, SetupService } from '../../src/setup/setup.service';
import { createTestApp, TestApp } from '../utils/create-app';
import { client } from '../utils/http';

describe('demo data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('is idempotent and lets every demo role sign in, and the newcomer enrol', async () => {
    const setup = t.app.get(SetupService);
    const printed: string[] = [];
    jest.spyOn(setup, 'announce').mockImplementation((l) => void printed.push(l));
    await setup.seedDemo();
    const count = async () => Number((await t.query('SELECT COUNT(*) AS n FROM workers'))[0].n);
    const workers = await count();
    await setup.seedDemo();
    expect(await count()).toBe(workers);

    const http = client(t.app);
    for (const email of [
      'staff@fuchu.example.jp',
      'manager@aki-joho.example.jp',
      'worker1@fuchu-soft.example.jp',
      'author@content.example.jp',
    ]) {
      expect((await http.post('/api/v1/auth/login', { email, password: DEMO_PASSWORD })).status).toBe(200);
    }
    const staff = (await http.post('/api/v1/auth/login', { email: 'staff@fuchu.example.jp', password: DEMO_PASSWORD })).body.token;
    const [engagement] = (await http.get('/api/v1/engagements', staff)).body.items;
    expect(engagement.startsOn > new Date().toISOString().slice(0, 10)).toBe(true);
    const links = (await http.get(`/api/v1/engagements/${engagement.id}/subcontractors`, staff)).body.items;
    expect(links.map((l: any) => [l.tier, l.status])).toEqual([
      [1, 'approved'],
      [2, 'pending_approval'],
    ]);
    // Each start issues a fresh code; the one printed last is the one that works.
    const code = [...printed.join('\n').matchAll(/code ([0-9A-Z-]{24})/g)].pop()![1];
    expect((await http.post('/api/v1/auth/enroll', { enrollmentCode: code, password: 'my-own-password' })).status).toBe(200);
  });
});
