import { mkdtempSync, rmSync } from 'node:fs';
import { installDataKeys } from '../common/crypto/data-keys';
import { BlindIndexSubscriber } from '../database/blind-index.subscriber';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user';
import { ENTITIES } from '../database/entities';
import { MIGRATIONS } from '../database/migrations';
import { Engagement } from '../engagements/engagement.entity';
import { SubcontractLink } from '../engagements/subcontract-link.entity';
import { Municipality } from '../municipalities/municipality.entity';
import { Organization } from '../organizations/organization.entity';
import { User } from '../users/user.entity';
import { Assignment } from '../workers/assignment.entity';
import { Worker } from '../workers/worker.entity';
import { AccessService, HolderRef, Permission, PERMISSIONS, PermissionTargets, Verdict } from './access.service';

/*
 * The policy as a table: permission × caller → allowed (A), 404 (N) or 403 (F).
 * The world, on a real database with the real migrations:
 *
 *   municipality MA:  engagement E, prime P ── S (approved) ── C (pending)
 *   municipality MB:  no engagement
 *   X: an unrelated organization. R: registered by MA's staff, no manager yet.
 *   Q: registered by P's manager, no manager yet.
 *   Workers wP (of P), wS (of S), wC (of C) are assigned to E; wX (of X) is not.
 *
 * Callers: admin; town staff of MA and of MB; managers of P, S, C and X;
 * wP (an assigned worker) and wX (a worker of another organization, unassigned);
 * a content author (sees the item analysis, nothing about people).
 */
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const MA = id(1);
const MB = id(2);
const [P, S, C, X, R, Q] = [id(11), id(12), id(13), id(14), id(15), id(16)];
const E = id(21);
const [wP, wS, wC, wX] = [id(31), id(32), id(33), id(34)];

const user = (role: AuthUser['role'], n: number, extra: Partial<AuthUser> = {}): AuthUser => ({
  id: id(100 + n),
  role,
  displayName: role,
  email: `u${n}@example.jp`,
  municipalityId: null,
  organizationId: null,
  workerId: null,
  sessionId: id(200 + n),
  ...extra,
});
const CALLERS = {
  admin: user('admin', 1),
  townA: user('town_staff', 2, { municipalityId: MA }),
  townB: user('town_staff', 3, { municipalityId: MB }),
  mgrP: user('org_manager', 4, { organizationId: P }),
  mgrS: user('org_manager', 5, { organizationId: S }),
  mgrC: user('org_manager', 6, { organizationId: C }),
  mgrX: user('org_manager', 7, { organizationId: X }),
  wP: user('worker', 8, { organizationId: P, workerId: wP }),
  wX: user('worker', 9, { organizationId: X, workerId: wX }),
  author: user('content_author', 10),
};
type Caller = keyof typeof CALLERS;
type Cell = 'A' | 'N' | 'F';
const VERDICT: Record<Cell, Verdict> = { A: 'allow', N: 'not_found', F: 'forbidden' };

const holder = (workerId: string, organizationId: string): HolderRef => ({ workerId, organizationId, engagementId: E, municipalityId: MA });

type Row = { [P in Permission]: [string, P, PermissionTargets[P], string] }[Permission];
/** The verdicts in the order of CALLERS, the permission, the target and what it is. */
const TABLE: Row[] = [
  // admin townA townB mgrP mgrS mgrC mgrX wP wX author
  ['A  A  N  A  A  N  N  N  N  F', 'organization.read', S, 'S'],
  ['A  A  N  A  N  N  N  A  N  F', 'organization.read', P, 'P (own, for its worker)'],
  ['A  A  N  A  A  N  N  F  F  F', 'organization.workers.read', S, 'S (approved under P)'],
  ['A  A  N  N  N  A  N  F  F  F', 'organization.workers.read', C, 'C (pending under S)'],
  ['A  A  N  N  N  N  N  F  F  F', 'organization.workers.read', R, 'R (registered by MA, no manager)'],
  ['A  N  N  N  A  N  N  F  F  F', 'organization.workers.create', S, 'S (has a manager)'],
  ['A  A  N  N  N  N  N  F  F  F', 'organization.workers.create', R, 'R (registered by MA, no manager)'],
  ['A  N  N  A  N  N  N  F  F  F', 'organization.codes.issue', Q, 'Q (registered by P, no manager)'],
  ['A  N  N  A  N  N  N  F  F  F', 'organization.codes.issue', P, 'P'],
  ['A  A  N  N  N  N  N  F  F  F', 'organization.managers.create', R, 'R (registered by MA, no manager)'],
  ['A  N  N  N  A  N  N  F  F  F', 'organization.managers.create', S, 'S (has a manager)'],
  ['A  N  N  A  N  N  N  F  F  F', 'organization.managers.create', Q, 'Q (registered by P, no manager)'],
  ['A  A  N  F  F  F  F  F  F  F', 'municipality.staff.create', MA, 'MA'],
  ['A  F  F  F  F  F  F  F  F  F', 'user.admin.create', null, '—'],
  ['A  F  F  F  F  F  F  F  F  F', 'user.exists.read', null, '—'],
  ['F  A  A  F  F  F  F  F  F  F', 'engagement.create', null, '—'],
  ['A  A  N  A  A  A  N  A  N  F', 'engagement.read', E, 'E'],
  ['A  A  N  A  A  A  N  F  F  F', 'engagement.subcontractors.read', E, 'E'],
  ['F  A  N  N  A  N  N  F  F  F', 'engagement.subcontractors.add', { engagement: E, parentOrganizationId: S }, 'E below S'],
  ['F  A  N  F  F  F  F  F  F  F', 'engagement.subcontractors.decide', E, 'E'],
  ['F  F  F  A  A  A  N  F  F  F', 'engagement.assignments.create', E, 'E'],
  ['F  F  F  A  N  N  N  F  F  F', 'engagement.assignments.delete', { engagement: E, workerOrganizationId: P }, 'wP off E'],
  ['F  F  F  N  A  N  N  F  F  F', 'engagement.assignments.delete', { engagement: E, workerOrganizationId: S }, 'wS off E'],
  ['F  F  F  N  N  N  N  F  F  F', 'engagement.assignments.delete', { engagement: E, workerOrganizationId: X }, 'wX (of X, not on E)'],
  ['A  A  N  A  A  A  N  F  F  F', 'engagement.progress.read', E, 'E'],
  ['A  A  N  A  N  N  N  F  F  F', 'engagement.readiness.read', E, 'E'],
  ['A  A  N  A  N  N  N  F  F  F', 'engagement.report.read', E, 'E'],
  ['A  A  N  A  N  N  N  A  N  F', 'certificate.holder.read', holder(wP, P), 'wP’s certificate on E'],
  ['A  A  N  A  A  N  N  N  N  F', 'certificate.holder.read', holder(wS, S), 'wS’s (approved under P)'],
  ['A  A  N  N  N  A  N  N  N  F', 'certificate.holder.read', holder(wC, C), 'wC’s (pending under S)'],
  ['A  A  N  F  F  F  F  F  F  F', 'certificate.revoke', E, 'E'],
  ['A  A  N  F  F  F  F  F  F  F', 'certificate.reinstate', E, 'E'],
  ['A  A  N  F  F  F  F  F  F  F', 'audit.read', E, 'E'],
  ['A  F  F  F  F  F  F  F  F  F', 'audit.read', null, 'the whole trail'],
  ['A  A  A  F  F  F  F  F  F  F', 'audit.search', null, 'the audit page (scopeAudit narrows it)'],
  ['A  F  F  F  F  F  F  F  F  A', 'content.item_analysis.read', null, '—'],
  ['A  F  F  F  F  F  F  F  F  F', 'user.content_author.create', null, '—'],
  ['F  A  N  A  A  A  N  F  F  F', 'engagement.reminders.send', E, 'E'],
  ['F  A  N  F  F  F  F  F  F  F', 'engagement.reminders.configure', E, 'E'],
  ['F  A  N  F  F  F  F  F  F  F', 'engagement.close_out', E, 'E'],
  ['A  F  F  F  F  F  F  F  F  F', 'mail.outbox.read', null, '—'],
];

describe('the access policy (permission × caller)', () => {
  let dir: string;
  let db: DataSource;
  let access: AccessService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'a4-access-'));
    installDataKeys({ dataDir: dir });
    db = new DataSource({
      type: 'better-sqlite3',
      database: join(dir, 'test.sqlite'),
      entities: ENTITIES,
      subscribers: [BlindIndexSubscriber],
      migrations: MIGRATIONS,
      migrationsRun: true,
    });
    await db.initialize();
    const now = new Date();
    await db.getRepository(Municipality).insert([
      { id: MA, name: 'A町', code: '343021', createdAt: now },
      { id: MB, name: 'B町', code: '343048', createdAt: now },
    ]);
    const org = (orgId: string, name: string, by: { m?: string; o?: string } = {}) => ({
      id: orgId,
      name,
      corporateNumber: null,
      createdByMunicipalityId: by.m ?? null,
      createdByOrganizationId: by.o ?? null,
      createdAt: now,
    });
    await db
      .getRepository(Organization)
      .insert([org(P, 'P', { m: MA }), org(S, 'S', { m: MA }), org(C, 'C'), org(X, 'X'), org(R, 'R', { m: MA }), org(Q, 'Q', { o: P })]);
    await db.getRepository(User).insert(
      Object.values(CALLERS).map((u) => ({
        id: u.id,
        email: u.email,
        displayName: u.displayName,
        role: u.role,
        passwordHash: 'x',
        municipalityId: u.municipalityId,
        organizationId: u.organizationId,
        workerId: null,
        createdAt: now,
      })),
    );
    await db.getRepository(Engagement).insert({
      id: E,
      municipalityId: MA,
      title: 'E',
      contractNumber: 'E-1',
      primeOrganizationId: P,
      startsOn: '2027-01-04',
      endsOn: '2028-03-31',
      handlesPersonalInfo: true,
      handlesMyNumber: false,
      usesCloudStorage: false,
      extraModuleIds: [],
      curriculum: [],
      passMark: null,
      certificateValidityDays: 365,
      createdAt: now,
    });
    const link = (n: number, organizationId: string, parentOrganizationId: string, tier: number, status: SubcontractLink['status']) => ({
      id: id(40 + n),
      engagementId: E,
      organizationId,
      parentOrganizationId,
      tier,
      status,
      decidedOn: null,
      reference: null,
      decidedBy: null,
      createdAt: now,
    });
    await db.getRepository(SubcontractLink).insert([link(1, S, P, 1, 'approved'), link(2, C, S, 2, 'pending_approval')]);
    const worker = (workerId: string, organizationId: string) => ({
      id: workerId,
      organizationId,
      name: workerId,
      email: `${workerId}@example.jp`,
      employeeNumber: null,
      enrollmentCodeHash: null,
      enrollmentCodeExpiresAt: null,
      enrolledAt: now,
      createdAt: now,
      updatedAt: now,
    });
    await db.getRepository(Worker).insert([worker(wP, P), worker(wS, S), worker(wC, C), worker(wX, X)]);
    await db
      .getRepository(Assignment)
      .insert([wP, wS, wC].map((workerId) => ({ engagementId: E, workerId, assignedBy: CALLERS.mgrP.id, assignedAt: now })));
    access = new AccessService(db);
  });

  afterAll(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every permission in the table', () => {
    expect(new Set(TABLE.map(([, p]) => p))).toEqual(new Set(PERMISSIONS));
  });

  it.each(TABLE.map(([cells, p, target, what]) => [p, what, target, cells] as const))(
    '%s on %s',
    async (permission, _what, target, cells) => {
      const expected = cells.trim().split(/\s+/) as Cell[];
      const callers = Object.keys(CALLERS) as Caller[];
      expect(expected).toHaveLength(callers.length);
      const got: Record<string, Verdict> = {};
      const want: Record<string, Verdict> = {};
      for (const [i, caller] of callers.entries()) {
        got[caller] = await access.check(CALLERS[caller], permission as never, target as never);
        want[caller] = VERDICT[expected[i]];
      }
      expect(got).toEqual(want);
    },
  );

  it('names people in the audit trail only for those who may see them (namesInAudit), and scopes the trail (scopeAudit)', async () => {
    const ids = Object.values(CALLERS).map((u) => u.id);
    const named = async (c: Caller) => {
      const n = await access.namesInAudit(CALLERS[c], ids, [wP, wS, wC, wX], [P, S, C, X]);
      return {
        users: [...n.users.keys()].sort(),
        workers: [...n.workers.keys()].sort(),
        organizations: [...n.organizations.keys()].sort(),
      };
    };
    const all = await named('admin');
    expect(all.users).toEqual([...ids].sort());
    expect(all.workers).toEqual([wP, wS, wC, wX].sort());
    // MA's staff: their colleagues and the people of P, S and C (on E); never X, nor MB's staff.
    expect(await named('townA')).toEqual({
      users: [CALLERS.townA, CALLERS.mgrP, CALLERS.mgrS, CALLERS.mgrC, CALLERS.wP].map((u) => u.id).sort(),
      workers: [wP, wS, wC].sort(),
      organizations: [P, S, C].sort(),
    });
    expect(await named('townB')).toEqual({ users: [CALLERS.townB.id], workers: [], organizations: [] });
    for (const c of ['mgrP', 'wP', 'author'] as Caller[]) expect(await named(c)).toEqual({ users: [], workers: [], organizations: [] });
    const scoped = (c: Caller) =>
      access.scopeAudit(db.createQueryBuilder().select('a.id').from('audit_events', 'a'), CALLERS[c]).getQueryAndParameters()[0];
    expect(scoped('admin')).not.toContain('WHERE');
    expect(scoped('townA')).toContain('municipality_id');
    expect(scoped('mgrP')).toContain('1 = 0');
  });

  it('refuses everything to someone not signed in, as not found', async () => {
    for (const [, permission, target] of TABLE) expect(await access.check(undefined, permission, target as never)).toBe('not_found');
  });

  it('answers an unknown organization or engagement as not found, even to the admin', async () => {
    const nobody = id(999);
    for (const p of ['organization.read', 'organization.workers.read', 'organization.managers.create'] as const)
      expect(await access.check(CALLERS.admin, p, nobody)).toBe('not_found');
    expect(await access.check(CALLERS.admin, 'engagement.read', nobody)).toBe('not_found');
    expect(await access.check(CALLERS.admin, 'municipality.staff.create', nobody)).toBe('not_found');
  });

  it('shows a manager the rows of their subtree, and people only over approved links', async () => {
    const tree = await access.tree({ id: E, primeOrganizationId: P });
    const of = (caller: Caller) => {
      const s = access.trackingScope(CALLERS[caller], tree);
      return { organizations: [...s.organizations].sort(), people: [...s.people].sort() };
    };
    expect(of('townA')).toEqual({ organizations: [P, S, C].sort(), people: [P, S, C].sort() });
    expect(of('mgrP')).toEqual({ organizations: [P, S, C].sort(), people: [P, S].sort() });
    expect(of('mgrS')).toEqual({ organizations: [S, C].sort(), people: [S] });
    expect(of('mgrC')).toEqual({ organizations: [C], people: [C] });
    expect(of('mgrX')).toEqual({ organizations: [], people: [] });
  });
});
