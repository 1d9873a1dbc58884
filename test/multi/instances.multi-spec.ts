import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../../src/database/migrations';
import {
  ADMIN,
  call,
  expectStatus,
  FreshDatabase,
  freshDatabase,
  inBatches,
  Instance,
  KIND,
  plain,
  ROOT,
  sharedEnv,
  startCluster,
  stop,
  tail,
} from './cluster';

/*
 * Several real service processes on one database (issue 16), on SQLite (one
 * file, several processes) or, with TEST_DATABASE_URL, on PostgreSQL. Every
 * instance is `node dist/main.js`; requests alternate between them.
 */

const PASSWORD = 'correct-horse-battery';
const statuses = (rs: { status: number }[]) => rs.map((r) => r.status).sort((a, b) => a - b);

describe(`several instances on one ${KIND} database`, () => {
  describe('starting together', () => {
    it('five times in a row, three instances started at the same moment on a fresh database all become ready: migrated once, one first admin', async () => {
      for (let round = 1; round <= 5; round++) {
        const db = await freshDatabase();
        try {
          const instances = await startCluster(3, db, sharedEnv(db));
          const exits = await Promise.all(instances.map((i) => stop(i)));
          expect(exits).toEqual(Array(3).fill({ code: 0, signal: null }));
          const migrations = await db.query<{ name: string }>('SELECT name FROM migrations');
          expect(migrations.map((m) => m.name).sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
          const users = await db.query<{ email: string }>('SELECT email FROM users');
          expect(users.map((u) => plain('users.email', u.email))).toEqual([ADMIN.email]);
        } finally {
          await db.drop();
        }
      }
    }, 300_000);

    it('three times in a row, on a database migrated beforehand by the migration CLI, three instances started at once create one first admin and one demo data set', async () => {
      const migrateCli = (env: NodeJS.ProcessEnv) =>
        // What `npm run migration:run` runs, from the build: the same lock as a starting instance.
        spawnSync(process.execPath, [join(ROOT, 'dist', 'database', 'migrate.cli.js')], { cwd: ROOT, env, encoding: 'utf8' });
      for (let round = 1; round <= 3; round++) {
        const db = await freshDatabase();
        try {
          const env = sharedEnv(db);
          const migrated = migrateCli(env);
          expect(migrated.stderr).toBe('');
          expect(migrated.stdout).toMatch(new RegExp(`^Ran ${MIGRATIONS.length} migration`));
          expect(migrated.status).toBe(0);
          const instances = await startCluster(3, db, env, ['--demo']);
          await Promise.all(instances.map((i) => stop(i)));
          const admins = await db.query<{ email: string }>("SELECT email FROM users WHERE role = 'admin'");
          expect(admins.map((u) => plain('users.email', u.email))).toEqual([ADMIN.email]);
          expect(await db.query("SELECT code FROM municipalities WHERE code = '343021'")).toHaveLength(1);
          expect(await db.query('SELECT id FROM engagements')).toHaveLength(1);
          expect(migrateCli(env).stdout).toBe('No migrations are pending\n');
        } finally {
          await db.drop();
        }
      }
    }, 240_000);
  });

  describe('driven alternately', () => {
    let db: FreshDatabase;
    let contentDir: string;
    let A: Instance;
    let B: Instance;
    let admin: string;
    let staff: string;
    let manager: string;
    let prime: { id: string };
    let engagement: { id: string };
    let userSeq = 0;

    /** A user made by the admin, signed in on `on`. */
    const user = async (spec: Record<string, string>, on: Instance) => {
      const email = `u${++userSeq}@multi.example.jp`;
      await expectStatus(
        call(A, 'POST', '/api/v1/users', { email, displayName: `利用者${userSeq}`, password: PASSWORD, ...spec }, admin),
        201,
        'user',
      );
      const r = await expectStatus(call(on, 'POST', '/api/v1/auth/login', { email, password: PASSWORD }), 200, 'login');
      return { email, token: r.token as string };
    };

    /** A worker of the prime, registered on one instance; answers the enrollment code. */
    const newWorker = async (k: number, on: Instance) =>
      expectStatus(
        call(on, 'POST', `/api/v1/organizations/${prime.id}/workers`, { name: `作業員${k}`, email: `w${k}@multi.example.jp` }, manager),
        201,
        'worker',
      ) as Promise<{ id: string; enrollmentCode: string }>;

    const enroll = async (code: string, on: Instance) =>
      (await expectStatus(call(on, 'POST', '/api/v1/auth/enroll', { enrollmentCode: code, password: PASSWORD }), 200, 'enroll')) as {
        token: string;
      };

    /** Correct answers for an attempt, from its stored answer key. */
    const rightAnswers = async (attemptId: string) => {
      const [row] = await db.query<{ questions: string }>('SELECT questions FROM attempts WHERE id = ?', [attemptId]);
      const questions = JSON.parse(row.questions) as { id: string; choices: { key: string; correct: boolean }[] }[];
      return questions.map((q) => ({ questionId: q.id, choiceIds: q.choices.filter((c) => c.correct).map((c) => c.key) }));
    };

    const startAttempt = async (token: string, on: Instance) =>
      (await expectStatus(call(on, 'POST', '/api/v1/modules/basics/attempts', { engagementId: engagement.id }, token), 201, 'start'))
        .attemptId as string;

    beforeAll(async () => {
      // One required module, so a worker's first pass is the final submission that issues a certificate.
      contentDir = mkdtempSync(join(tmpdir(), 'a4-multi-content-'));
      cpSync(join(ROOT, 'content', 'modules', 'basics'), join(contentDir, 'modules', 'basics'), { recursive: true });
      db = await freshDatabase();
      [A, B] = await startCluster(2, db, sharedEnv(db, { CONTENT_DIR: contentDir }));

      admin = (await expectStatus(call(A, 'POST', '/api/v1/auth/login', ADMIN), 200, 'admin login')).token;
      const town = await expectStatus(call(B, 'POST', '/api/v1/municipalities', { name: '府中町', code: '343021' }, admin), 201, 'town');
      staff = (await user({ role: 'town_staff', municipalityId: town.id }, B)).token;
      prime = await expectStatus(call(A, 'POST', '/api/v1/organizations', { name: '株式会社プライム' }, admin), 201, 'prime');
      manager = (await user({ role: 'org_manager', organizationId: prime.id }, A)).token;
      engagement = await expectStatus(
        call(
          B,
          'POST',
          '/api/v1/engagements',
          {
            title: '住民情報システム運用保守業務',
            contractNumber: 'R8-M01',
            primeContractorId: prime.id,
            startsOn: '2027-01-04',
            endsOn: '2028-03-31',
            handlesPersonalInfo: false,
            handlesMyNumber: false,
            usesCloudStorage: false,
            certificateValidityDays: 730,
          },
          staff,
        ),
        201,
        'engagement',
      );
      expect((engagement as unknown as { curriculum: string[] }).curriculum).toEqual(['basics']);
    }, 180_000);

    afterAll(async () => {
      await Promise.all([A, B].filter(Boolean).map((i) => stop(i, 10_000)));
      await db?.drop();
      rmSync(contentDir, { recursive: true, force: true });
    }, 30_000);

    it('accepts on one instance a token issued by the other, and refuses it everywhere once logout on the other revoked it', async () => {
      const u = await user({ role: 'org_manager', organizationId: prime.id }, A);
      expect((await call(B, 'GET', '/api/v1/me', undefined, u.token)).status).toBe(200);
      expect((await call(B, 'POST', '/api/v1/auth/logout', undefined, u.token)).status).toBe(204);
      expect((await call(A, 'GET', '/api/v1/me', undefined, u.token)).status).toBe(401);
      expect((await call(B, 'GET', '/api/v1/me', undefined, u.token)).status).toBe(401);
    });

    it('locks the account for the client address after 20 concurrent wrong passwords split over the instances; the right password from that address is then refused', async () => {
      const u = await user({ role: 'org_manager', organizationId: prime.id }, B);
      const wrong = await Promise.all(
        Array.from({ length: 20 }, (_, k) =>
          call(k % 2 ? A : B, 'POST', '/api/v1/auth/login', { email: u.email, password: `wrong-${k}-password` }),
        ),
      );
      for (const r of wrong) expect([401, 429]).toContain(r.status);
      expect((await call(A, 'POST', '/api/v1/auth/login', { email: u.email, password: PASSWORD })).status).toBe(429);
      expect((await call(B, 'POST', '/api/v1/auth/login', { email: u.email, password: PASSWORD })).status).toBe(429);
    });

    it('lets one of two simultaneous decisions on a subcontractor land, five times: one 200, one 409, one audit event each', async () => {
      const E = `/api/v1/engagements/${engagement.id}`;
      for (let k = 1; k <= 5; k++) {
        const sub = await expectStatus(call(A, 'POST', '/api/v1/organizations', { name: `再委託${k}株式会社` }, admin), 201, 'sub');
        await expectStatus(
          call(B, 'POST', `${E}/subcontractors`, { organizationId: sub.id, parentOrganizationId: prime.id }, manager),
          201,
          'link',
        );
        const decide = (approved: boolean, on: Instance) =>
          call(
            on,
            'POST',
            `${E}/subcontractors/${sub.id}/approval`,
            { approved, decidedOn: '2026-12-01', reference: `府総第${k}号` },
            staff,
          );
        const both = await Promise.all([decide(true, A), decide(false, B)]);
        expect(statuses(both)).toEqual([200, 409]);
        const [link] = await db.query<{ id: string; status: string }>(
          'SELECT id, status FROM subcontract_links WHERE organization_id = ?',
          [sub.id],
        );
        expect(link.status).toBe(both[0].status === 200 ? 'approved' : 'rejected');
        const events = await db.query(
          "SELECT action FROM audit_events WHERE target_id = ? AND action IN ('subcontractor.approved', 'subcontractor.rejected')",
          [link.id],
        );
        expect(events).toHaveLength(1);
      }
    });

    it('consumes an enrollment code once when it is used on both instances at once: one sign-in, one refusal, one account', async () => {
      const w = await newWorker(1000, A);
      const both = await Promise.all(
        [A, B].map((on) => call(on, 'POST', '/api/v1/auth/enroll', { enrollmentCode: w.enrollmentCode, password: PASSWORD })),
      );
      const [won, lost] = statuses(both);
      expect(won).toBe(200);
      // 409 when the two transactions overlap (the code's conditional consumption); 400, as for any
      // later use of a used code, when the loser's transaction starts after the winner's commit
      // (always so on SQLite, whose write transactions take turns from BEGIN).
      expect([400, 409]).toContain(lost);
      expect(await db.query('SELECT id FROM users WHERE worker_id = ?', [w.id])).toHaveLength(1);
    });

    /** The serials of the certificates of the 50 concurrent submissions. */
    let issued: string[] = [];

    it('grades on one instance a quiz started on the other, and takes one of two simultaneous submissions (one 200, one 409)', async () => {
      const w = await newWorker(1001, B);
      const { token } = await enroll(w.enrollmentCode, A);
      await expectStatus(
        call(B, 'POST', `/api/v1/engagements/${engagement.id}/assignments`, { workerIds: [w.id] }, manager),
        200,
        'assign',
      );
      const first = await startAttempt(token, A);
      const graded = await expectStatus(
        call(B, 'POST', `/api/v1/attempts/${first}/submission`, { answers: await rightAnswers(first) }, token),
        200,
        'submit',
      );
      expect(graded.passed).toBe(true);
      expect(graded.certificate?.serial).toEqual(expect.any(String));

      // A retake, submitted on both at once: graded once. It changes none of the certificate's facts
      // (same revision, far from the end of validity: docs/certificates.md), so the first one stands.
      const second = await startAttempt(token, B);
      const answers = await rightAnswers(second);
      const both = await Promise.all([A, B].map((on) => call(on, 'POST', `/api/v1/attempts/${second}/submission`, { answers }, token)));
      expect(statuses(both)).toEqual([200, 409]);
      expect(await db.query('SELECT id FROM completions WHERE attempt_id = ?', [second])).toHaveLength(1);
      expect(both.find((r) => r.status === 200)!.body.certificate).toBeNull();
      expect(await db.query("SELECT serial FROM certificates WHERE worker_id = ? AND status = 'valid'", [w.id])).toEqual([
        { serial: graded.certificate.serial },
      ]);
    });

    it('issues 50 certificates for 50 concurrent final submissions split over the instances, with no status index twice, and keeps the audit chain intact', async () => {
      const on = (k: number) => (k % 2 ? A : B);
      const workers = await inBatches(
        Array.from({ length: 50 }, (_, k) => k),
        10,
        (k) => newWorker(k, on(k)),
      );
      const tokens = await inBatches(workers, 10, async (w, k) => (await enroll(w.enrollmentCode, on(k + 1))).token);
      await expectStatus(
        call(A, 'POST', `/api/v1/engagements/${engagement.id}/assignments`, { workerIds: workers.map((w) => w.id) }, manager),
        200,
        'assign',
      );
      const attempts = await inBatches(tokens, 10, (token, k) => startAttempt(token, on(k)));
      const answers = await Promise.all(attempts.map((a) => rightAnswers(a)));

      const results = await Promise.all(
        attempts.map((a, k) => call(on(k + 1), 'POST', `/api/v1/attempts/${a}/submission`, { answers: answers[k] }, tokens[k])),
      );
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
      expect(results.every((r) => typeof r.body.certificate?.serial === 'string')).toBe(true);
      issued = results.map((r) => r.body.certificate.serial as string);

      const ids = workers.map((w) => w.id);
      const certs = await db.query<{ serial: string; status_list_id: string; status_index: number }>(
        `SELECT serial, status_list_id, status_index FROM certificates WHERE worker_id IN (${ids.map(() => '?').join(', ')})`,
        ids,
      );
      expect(certs).toHaveLength(50);
      expect(new Set(certs.map((c) => c.serial)).size).toBe(50);
      expect(
        await db.query('SELECT status_list_id, status_index FROM certificates GROUP BY status_list_id, status_index HAVING COUNT(*) > 1'),
      ).toEqual([]);

      const verify = spawnSync(process.execPath, [join(ROOT, 'dist', 'audit', 'audit-verify.cli.js')], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, DATABASE_URL: db.url },
        encoding: 'utf8',
      });
      expect(verify.stdout).toMatch(/^Audit chain intact/);
      expect(verify.status).toBe(0);
    }, 180_000);

    it('revokes a certificate once when both instances revoke it at once, five times: one 200, one 409, one audit event each', async () => {
      expect(issued).toHaveLength(50);
      for (const one of issued.slice(0, 5)) {
        const both = await Promise.all(
          [A, B].map((on) => call(on, 'POST', `/api/v1/certificates/${one}/revocation`, { reason: '契約終了のため' }, staff)),
        );
        expect(statuses(both)).toEqual([200, 409]);
        const [cert] = await db.query<{ id: string; status: string }>('SELECT id, status FROM certificates WHERE serial = ?', [one]);
        expect(cert.status).toBe('revoked');
        expect(
          await db.query("SELECT seq FROM audit_events WHERE action = 'certificate.revoked' AND target_id = ?", [cert.id]),
        ).toHaveLength(1);
      }
    });

    it('on SIGTERM stops accepting connections, finishes the request in flight, closes the pool and exits 0; the other instance keeps serving', async () => {
      const port = Number(new URL(A.url).port);
      expect(issued).toHaveLength(50);
      const serial = issued[issued.length - 1];
      const body = JSON.stringify({ serials: [serial] });
      // A request in flight: its headers sent with `Expect: 100-continue`, its body held back until after
      // SIGTERM. The server's `100 Continue` says it has read the headers and dispatched the request.
      const socket = connect(port, '127.0.0.1');
      await new Promise((ok, fail) => socket.once('connect', ok).once('error', fail));
      let response = '';
      socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
      // A reset (the process gone without answering) shows as the missing response below.
      socket.on('error', () => undefined);
      const ended = new Promise((ok) => socket.once('close', ok));
      socket.write(
        `POST /api/v1/certificates/verify HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${staff}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
      );
      const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
      while (response !== CONTINUE) {
        if (response.length > CONTINUE.length || socket.destroyed)
          throw new Error(`expected 100 Continue, got ${JSON.stringify(response)}`);
        await new Promise((r) => setTimeout(r, 20));
      }

      A.child.kill('SIGTERM');
      // New connections are refused while the request is still in flight.
      await untilRefused(port);
      expect(response).toBe(CONTINUE);
      socket.write(body);
      await ended;
      const final = response.slice(CONTINUE.length);
      expect(final).toMatch(/^HTTP\/1\.1 200 /);
      expect(final).toMatch(/\r\nconnection: close\r\n/i);
      expect(JSON.parse(final.slice(final.indexOf('\r\n\r\n') + 4))[0]).toMatchObject({ serial, status: 'valid' });

      // Exit code 0 means the process ended by itself: the pool's connections and every other handle closed.
      const exit = await A.exited;
      if (exit.code !== 0) throw new Error(`exit ${JSON.stringify(exit)}:\n${tail(A.log())}`);
      expect(A.log()).toMatch(/SIGTERM: no longer accepting connections[\s\S]*article4-lms stopped/);
      expect((await call(B, 'GET', '/readyz')).status).toBe(200);
    }, 45_000);
  });
});

/** Resolves once a TCP connection to the port is refused (polls for at most 20 s). */
async function untilRefused(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const refused = await new Promise<boolean>((ok) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        ok(false);
      });
      s.once('error', (e: NodeJS.ErrnoException) => ok(e.code === 'ECONNREFUSED'));
    });
    if (refused) return;
    if (Date.now() > deadline) throw new Error(`port ${port} still accepts connections 20 s after SIGTERM`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
