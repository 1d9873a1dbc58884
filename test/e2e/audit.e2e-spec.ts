import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { AuditService, SYSTEM } from '../../src/audit/audit.service';
import { TransactionService } from '../../src/database/transaction.service';
import { ADMIN, useWorld, enrolledWorker, login, PASSWORD, World } from '../factories/world';
import type { TestApp } from '../utils/create-app';
import { sit } from '../utils/quiz';

const ROOT = join(__dirname, '..', '..');
const CSV = { 'content-type': 'text/csv' };

interface Row {
  seq: number;
  action: string;
  actor_id: string | null;
  actor_role: string;
  target_type: string;
  target_id: string | null;
  engagement_id: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

describe('audit trail', () => {
  let t: TestApp;
  let w: World;
  const rows = async () => (await t.query<Row>('SELECT * FROM audit_events ORDER BY seq')).map((r) => ({ ...r, seq: Number(r.seq) }));
  const lastOf = async (action: string) => (await rows()).filter((r) => r.action === action).pop();
  const verifyCli = () => {
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/audit/audit-verify.cli.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: t.config.databaseUrl },
    });
    return { code: r.status, out: r.stdout + r.stderr };
  };

  useWorld((app, world) => ([t, w] = [app, world]));

  it('records what building the world did: sign-ins, the engagement, subcontractors and the approval', async () => {
    const all = await rows();
    expect(all.map((r) => r.seq)).toEqual(all.map((_, i) => i + 1));
    expect(all[0].prev_hash).toBe('0'.repeat(64));
    const signIn = all.find((r) => r.action === 'auth.sign_in' && r.actor_id === w.staff.id)!;
    expect(signIn).toMatchObject({ actor_role: 'town_staff', target_type: 'user', target_id: w.staff.id, engagement_id: null });
    expect(all.find((r) => r.action === 'engagement.created')).toMatchObject({
      actor_id: w.staff.id,
      target_id: w.engagement.id,
      engagement_id: w.engagement.id,
    });
    expect(all.filter((r) => r.action === 'subcontractor.added')).toHaveLength(3);
    const approved = all.find((r) => r.action === 'subcontractor.approved')!;
    expect(approved).toMatchObject({ actor_id: w.staff.id, engagement_id: w.engagement.id, target_type: 'subcontract_link' });
    expect(JSON.parse(approved.details)).toEqual({ organizationId: w.subA.id, decidedOn: '2026-12-01' });
  });

  it('records failed sign-ins: the account id when it exists, only a reason code when not', async () => {
    expect((await w.http.post('/api/v1/auth/login', { email: w.managers.subB.email, password: 'wrong-password-1' })).status).toBe(401);
    const known = await lastOf('auth.sign_in_failed');
    expect(known).toMatchObject({
      actor_id: null,
      actor_role: 'anonymous',
      target_type: 'user',
      target_id: w.managers.subB.id,
      engagement_id: null,
    });
    expect(JSON.parse(known!.details)).toEqual({ reason: 'wrong_password' });

    expect((await w.http.post('/api/v1/auth/login', { email: 'nobody@nowhere.example.jp', password: 'whatever-123' })).status).toBe(401);
    const unknown = await lastOf('auth.sign_in_failed');
    expect(unknown).toMatchObject({ actor_id: null, actor_role: 'anonymous', target_id: null });
    expect(unknown!.details).toBe('{"reason":"unknown_account"}');

    await login(w.http, w.managers.subB.email, PASSWORD);
    expect(await lastOf('auth.sign_in')).toMatchObject({ actor_id: w.managers.subB.id, actor_role: 'org_manager' });
  });

  let holder: { workerId: string; token: string; userId: string };
  let serial: string;

  it('records enrolment, registration, import, assignment and rejection', async () => {
    holder = await enrolledWorker(w.http, w.managers.prime.token, w.prime.id, '監査　花子', 'audit-holder@example.jp');
    expect(await lastOf('workers.created')).toMatchObject({
      actor_id: w.managers.prime.id,
      target_type: 'worker',
      target_id: holder.workerId,
    });
    const enrolled = await lastOf('auth.enrolled');
    expect(enrolled).toMatchObject({ actor_id: holder.userId, actor_role: 'worker', target_type: 'worker', target_id: holder.workerId });
    expect(JSON.parse(enrolled!.details)).toEqual({ organizationId: w.prime.id });

    const csv =
      'name,email,employeeNumber\n輸入　一郎,import-one@example.jp,E1\n輸入　二郎,import-two@example.jp,E2\n,no-name@example.jp,E3\n';
    const imp = await w.http.post(`/api/v1/organizations/${w.prime.id}/workers/import`, csv, w.managers.prime.token, CSV);
    expect(imp.body).toMatchObject({ created: 2, updated: 0 });
    const imported = (await rows()).filter((r) => r.action === 'workers.imported');
    expect(imported).toHaveLength(1);
    expect(imported[0]).toMatchObject({ target_type: 'organization', target_id: w.prime.id, actor_id: w.managers.prime.id });
    expect(JSON.parse(imported[0].details)).toEqual({ created: 2, updated: 0, unchanged: 0, errors: 1, codesIssued: 0 });

    expect((await w.http.post(`${w.E}/assignments`, { workerIds: [holder.workerId] }, w.managers.prime.token)).status).toBe(200);
    const assigned = await lastOf('assignments.created');
    expect(assigned).toMatchObject({ engagement_id: w.engagement.id, actor_id: w.managers.prime.id });
    expect(JSON.parse(assigned!.details)).toEqual({ organizationId: w.prime.id, added: 1, workerIds: [holder.workerId] });

    const decision = { approved: false, decidedOn: '2026-12-02', reference: '府総第102号' };
    expect((await w.http.post(`${w.E}/subcontractors/${w.subB.id}/approval`, decision, w.staff.token)).status).toBe(200);
    expect(await lastOf('subcontractor.rejected')).toMatchObject({ engagement_id: w.engagement.id, actor_id: w.staff.id });
  });

  it('records attempts and the certificate issued, superseded and revoked, in the order they happened', async () => {
    const before = (await rows()).length;
    const curriculum = w.engagement.curriculum as string[];
    let last: any;
    for (const m of curriculum) last = await sit(t, w.http, holder.token, m, w.engagement.id);
    const firstSerial = last.body.certificate.serial as string;
    const added = (await rows()).slice(before);
    expect(added.map((r) => r.action)).toEqual([...curriculum.map(() => 'attempt.submitted'), 'certificate.issued']);
    expect(added.map((r) => JSON.parse(r.details).moduleId).slice(0, -1)).toEqual(curriculum);
    expect(JSON.parse(added[0].details)).toMatchObject({ moduleId: curriculum[0], revision: expect.any(Number), score: 100, passed: true });
    expect(added[0]).toMatchObject({ actor_id: holder.userId, target_type: 'attempt', engagement_id: w.engagement.id });
    const issued = added[added.length - 1];
    expect(issued).toMatchObject({ actor_id: null, actor_role: SYSTEM.role, target_type: 'certificate', engagement_id: w.engagement.id });
    expect(JSON.parse(issued.details)).toEqual({ serial: firstSerial, workerId: holder.workerId, organizationId: w.prime.id });

    // Re-training in the last 30 days of validity renews: the held certificate (730 days) is superseded.
    await t.query('UPDATE certificates SET valid_from = ?, valid_until = ? WHERE serial = ?', [
      new Date(Date.now() - 720 * 86400_000).toISOString(),
      new Date(Date.now() + 10 * 86400_000).toISOString(),
      firstSerial,
    ]);
    const again = await sit(t, w.http, holder.token, curriculum[0], w.engagement.id);
    serial = again.body.certificate.serial;
    expect(serial).not.toBe(firstSerial);
    const superseded = await lastOf('certificate.superseded');
    expect(superseded).toMatchObject({ target_id: issued.target_id, engagement_id: w.engagement.id });
    expect(JSON.parse(superseded!.details)).toMatchObject({ serial: firstSerial });

    const reason = '監査　花子 audit-holder@example.jp 退職のため';
    expect((await w.http.post(`/api/v1/certificates/${serial}/revocation`, { reason }, w.staff.token)).status).toBe(200);
    const revoked = await lastOf('certificate.revoked');
    expect(revoked).toMatchObject({ actor_id: w.staff.id, engagement_id: w.engagement.id });
    expect(JSON.parse(revoked!.details)).toEqual({ serial });
  });

  it('holds no e-mail, name or typed reason anywhere in the table', async () => {
    const dump = JSON.stringify(await t.query('SELECT * FROM audit_events'));
    expect(dump).not.toContain('@');
    const people = await t.query<{ name: string; email: string }>('SELECT name, email FROM workers');
    expect(people.length).toBeGreaterThanOrEqual(3);
    for (const p of people) {
      expect(dump).not.toContain(p.name);
      expect(dump).not.toContain(p.email);
    }
    for (const u of await t.query<{ email: string }>('SELECT email FROM users')) expect(dump).not.toContain(u.email);
    expect(dump).not.toContain('退職');
    expect(dump).not.toContain('府総第');
  });

  describe('GET /audit-events', () => {
    const url = (q: string) => `/api/v1/audit-events${q}`;

    it("gives town staff their engagement's events, in seq order, page by page", async () => {
      const r = await w.http.get(url(`?engagementId=${w.engagement.id}&limit=500`), w.staff.token);
      expect(r.status).toBe(200);
      const items = r.body.items as any[];
      const expected = (await rows()).filter((x) => x.engagement_id === w.engagement.id);
      expect(items.map((i) => i.seq)).toEqual(expected.map((x) => x.seq));
      expect(items.every((i) => i.engagementId === w.engagement.id)).toBe(true);
      expect(items.map((i) => i.action)).toEqual(
        expect.arrayContaining(['engagement.created', 'subcontractor.approved', 'attempt.submitted', 'certificate.revoked']),
      );
      expect(items[0]).toEqual({
        seq: expect.any(Number),
        id: expect.any(String),
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        actorId: w.staff.id,
        actorRole: 'town_staff',
        action: 'engagement.created',
        targetType: 'engagement',
        targetId: w.engagement.id,
        engagementId: w.engagement.id,
        details: { primeOrganizationId: w.prime.id },
        prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });

      const paged: number[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await w.http.get(
          url(`?engagementId=${w.engagement.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`),
          w.staff.token,
        );
        expect(page.status).toBe(200);
        paged.push(...page.body.items.map((i: any) => i.seq));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(paged).toEqual(items.map((i) => i.seq));
    });

    it('refuses town staff without an engagement (400), with another municipality’s (404), and org managers (403)', async () => {
      const none = await w.http.get(url(''), w.staff.token);
      expect(none.status).toBe(400);
      expect(none.body.details[0].field).toBe('engagementId');
      expect((await w.http.get(url(`?engagementId=${w.engagement.id}`), w.otherStaff.token)).status).toBe(404);
      expect((await w.http.get(url('?engagementId=00000000-0000-4000-8000-000000000000'), w.staff.token)).status).toBe(404);
      expect((await w.http.get(url(`?engagementId=${w.engagement.id}`), w.managers.prime.token)).status).toBe(403);
      expect((await w.http.get(url(`?engagementId=${w.engagement.id}`), holder.token)).status).toBe(403);
      expect((await w.http.get(url(`?engagementId=${w.engagement.id}`))).status).toBe(401);
      expect((await w.http.get(url('?engagementId=not-a-uuid'), w.staff.token)).status).toBe(400);
      expect((await w.http.get(url(`?engagementId=${w.engagement.id}&cursor=garbage`), w.staff.token)).status).toBe(400);
      expect((await w.http.get(url(`?engagementId=${w.engagement.id}&foo=1`), w.staff.token)).status).toBe(400);
    });

    it('gives the admin every event', async () => {
      const r = await w.http.get(url('?limit=500'), w.admin.token);
      expect(r.status).toBe(200);
      const all = await rows();
      expect(all.length).toBeLessThan(500);
      expect(r.body.items.map((i: any) => i.seq)).toEqual(all.map((x) => x.seq));
      expect(r.body.nextCursor).toBeNull();
      expect(r.body.items.map((i: any) => i.action)).toEqual(expect.arrayContaining(['auth.sign_in_failed', 'workers.imported']));
    });
  });

  it('rolls an event back with its transaction', async () => {
    const before = (await rows()).length;
    const audit = t.app.get(AuditService);
    await expect(
      t.app.get(TransactionService).run(async (m) => {
        await audit.record(m, { action: 'report.generated', actor: SYSTEM, targetType: 'engagement', targetId: w.engagement.id });
        throw new Error('the act failed');
      }),
    ).rejects.toThrow('the act failed');
    expect(await rows()).toHaveLength(before);
    expect((await audit.verifyChain()).ok).toBe(true);
  });

  it('keeps one chain under 30 parallel sign-ins', async () => {
    const before = await rows();
    // From 30 clients: an attempt counts from its start, so one client's 30 at once would be throttled (docs/accounts-and-access.md).
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: ADMIN, remoteAddress: `192.0.2.${i + 1}` }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(30).fill(200));
    const after = await rows();
    const added = after.slice(before.length);
    expect(added).toHaveLength(30);
    expect(added.every((r) => r.action === 'auth.sign_in' && r.actor_id === w.admin.id)).toBe(true);
    expect(after.map((r) => r.seq)).toEqual(after.map((_, i) => i + 1));
    for (let i = 1; i < after.length; i++) expect(after[i].prev_hash).toBe(after[i - 1].hash);
    expect(await t.app.get(AuditService).verifyChain()).toEqual({ ok: true, count: after.length });
  });

  it('verifies an intact chain, and catches a tampered row (service and npm run audit:verify)', async () => {
    const audit = t.app.get(AuditService);
    const count = (await rows()).length;
    expect(await audit.verifyChain()).toEqual({ ok: true, count });
    const intact = verifyCli();
    expect(intact.out).toContain(`Audit chain intact: ${count} events`);
    expect(intact.code).toBe(0);

    const victim = (await rows()).find((r) => r.action === 'workers.imported')!;
    await t.query('UPDATE audit_events SET details = ? WHERE seq = ?', [
      '{"codesIssued":0,"created":0,"errors":0,"unchanged":0,"updated":0}',
      victim.seq,
    ]);
    const report = await audit.verifyChain();
    expect(report).toMatchObject({ ok: false, brokenAt: victim.seq, count: victim.seq - 1 });
    const broken = verifyCli();
    expect(broken.out).toContain(`Audit chain BROKEN at event #${victim.seq}:`);
    expect(broken.code).toBe(1);

    // Put back, then remove a row instead: the gap is found at the event after it.
    await t.query('UPDATE audit_events SET details = ? WHERE seq = ?', [victim.details, victim.seq]);
    expect((await audit.verifyChain()).ok).toBe(true);
    await t.query('DELETE FROM audit_events WHERE seq = ?', [victim.seq]);
    expect(await audit.verifyChain()).toMatchObject({ ok: false, brokenAt: victim.seq + 1 });
  }, 60_000);
});
