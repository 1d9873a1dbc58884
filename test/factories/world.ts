import { SetupService } from '../../src/setup/setup.service';
import { createTestApp, type TestApp } from '../utils/create-app';
import { client, Client } from '../utils/http';

export const ADMIN = { email: 'admin@test.example.jp', password: 'admin-password-123' };
export const PASSWORD = 'correct-horse-battery';

/** Valid 法人番号 values (check digit computed) for test organizations. */
export function corporateNumber(seed: number): string {
  const base = String(100000000000 + seed).slice(-12);
  let sum = 0;
  for (let n = 1; n <= 12; n++) sum += Number(base[12 - n]) * (n % 2 === 1 ? 1 : 2);
  return `${9 - (sum % 9)}${base}`;
}

export interface Actor {
  id: string;
  token: string;
  email: string;
}

/**
 * A municipality with an engagement whose subcontract tree is
 *   prime ─┬─ subA (approved) ── subA1 (pending)
 *          └─ subB (pending, a sibling of subA)
 * plus a second municipality and an unrelated organization, each with their
 * own staff or manager: everything the refusal matrix needs.
 */
export async function buildWorld(t: TestApp) {
  const http = client(t.app);
  await t.app.get(SetupService).ensureAdmin(() => undefined);
  const admin = await login(http, ADMIN.email, ADMIN.password);

  const fuchu = (await http.post('/api/v1/municipalities', { name: '府中町', code: '343021' }, admin.token)).body;
  const other = (await http.post('/api/v1/municipalities', { name: '海田町', code: '343048' }, admin.token)).body;
  const staff = await makeUser(http, admin.token, { role: 'town_staff', municipalityId: fuchu.id }, 'staff');
  const otherStaff = await makeUser(http, admin.token, { role: 'town_staff', municipalityId: other.id }, 'other-staff');

  const org = async (name: string, seed: number) =>
    (await http.post('/api/v1/organizations', { name, corporateNumber: corporateNumber(seed) }, admin.token)).body as {
      id: string;
      name: string;
    };
  const prime = await org('株式会社プライム', 1);
  const subA = await org('エー情報株式会社', 2);
  const subA1 = await org('エーワン合同会社', 3);
  const subB = await org('ビー開発株式会社', 4);
  const outsider = await org('無関係株式会社', 5);
  const managers = {
    prime: await makeUser(http, admin.token, { role: 'org_manager', organizationId: prime.id }, 'mgr-prime'),
    subA: await makeUser(http, admin.token, { role: 'org_manager', organizationId: subA.id }, 'mgr-a'),
    subA1: await makeUser(http, admin.token, { role: 'org_manager', organizationId: subA1.id }, 'mgr-a1'),
    subB: await makeUser(http, admin.token, { role: 'org_manager', organizationId: subB.id }, 'mgr-b'),
    outsider: await makeUser(http, admin.token, { role: 'org_manager', organizationId: outsider.id }, 'mgr-x'),
  };

  const engagement = (
    await http.post(
      '/api/v1/engagements',
      {
        title: '住民情報システム運用保守業務',
        contractNumber: 'R8-001',
        primeContractorId: prime.id,
        startsOn: '2027-01-04',
        endsOn: '2028-03-31',
        handlesPersonalInfo: true,
        handlesMyNumber: false,
        usesCloudStorage: true,
        // Longer than the contract (15 months), so a fresh certificate lasts to its end.
        certificateValidityDays: 730,
      },
      staff.token,
    )
  ).body;
  const E = `/api/v1/engagements/${engagement.id}`;
  await http.post(`${E}/subcontractors`, { organizationId: subA.id, parentOrganizationId: prime.id }, managers.prime.token);
  await http.post(`${E}/subcontractors`, { organizationId: subB.id, parentOrganizationId: prime.id }, managers.prime.token);
  await http.post(`${E}/subcontractors`, { organizationId: subA1.id, parentOrganizationId: subA.id }, managers.subA.token);
  await http.post(
    `${E}/subcontractors/${subA.id}/approval`,
    { approved: true, decidedOn: '2026-12-01', reference: '府総第101号' },
    staff.token,
  );

  return { http, admin, fuchu, other, staff, otherStaff, prime, subA, subA1, subB, outsider, managers, engagement, E };
}

export type World = Awaited<ReturnType<typeof buildWorld>>;

let userSeq = 0;
export async function makeUser(
  http: Client,
  token: string,
  spec: { role: string; municipalityId?: string; organizationId?: string },
  label: string,
): Promise<Actor> {
  const email = `${label}-${++userSeq}@test.example.jp`;
  const r = await http.post('/api/v1/users', { email, displayName: label, password: PASSWORD, ...spec }, token);
  if (r.status !== 201) throw new Error(`creating ${label}: ${r.status} ${r.text}`);
  return { ...(await login(http, email, PASSWORD)), email };
}

export async function login(http: Client, email: string, password: string): Promise<Actor> {
  const r = await http.post('/api/v1/auth/login', { email, password });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${r.text}`);
  return { id: r.body.user.id, token: r.body.token, email };
}

/** Adds a worker through the API and enrols them; returns the worker's session. */
export async function enrolledWorker(http: Client, managerToken: string, orgId: string, name: string, email: string) {
  const w = await http.post(`/api/v1/organizations/${orgId}/workers`, { name, email }, managerToken);
  if (w.status !== 201) throw new Error(`worker: ${w.status} ${w.text}`);
  const e = await http.post('/api/v1/auth/enroll', { enrollmentCode: w.body.enrollmentCode, password: PASSWORD });
  if (e.status !== 200) throw new Error(`enroll: ${e.status} ${e.text}`);
  return { workerId: w.body.id as string, token: e.body.token as string, userId: e.body.user.id as string };
}

/** A fresh app with the world for the enclosing describe block, closed after it. */
export function useWorld(set: (t: TestApp, w: World) => void, options?: Parameters<typeof createTestApp>[0]): void {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await createTestApp(options);
    set(app, await buildWorld(app));
  });
  afterAll(() => app?.close());
}
