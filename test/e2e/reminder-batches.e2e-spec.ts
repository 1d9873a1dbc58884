import { useWorld, type World } from '../factories/world';
import type { TestApp } from '../utils/create-app';

/**
 * A reminder round over more workers than one batch (src/mail/reminders.service.ts, 1,000 a batch):
 * each batch is its own transaction and audit event, so a round over 100,000 workers neither holds the
 * database's write lock for minutes nor blocks the event loop, and every worker is still reminded once.
 */
describe('Reminder rounds in batches', () => {
  let t: TestApp;
  let w: World;
  useWorld((app, world) => ([t, w] = [app, world]));

  it('1,001 workers who never enrolled: 1,001 reminders queued once, in two batches, two audit events', async () => {
    const rows = Array.from({ length: 1001 }, (_, i) => `一括\u3000${i + 1},batch-${i + 1}@example.jp`);
    const imported = await w.http.post(
      `/api/v1/organizations/${w.prime.id}/workers/import`,
      `name,email\n${rows.join('\n')}\n`,
      w.managers.prime.token,
      {
        'content-type': 'text/csv',
      },
    );
    expect(imported.body).toMatchObject({ created: 1001 });
    const ids = (await t.query<{ worker_id: string }>('SELECT id AS worker_id FROM workers WHERE organization_id = ?', [w.prime.id])).map(
      (r) => r.worker_id,
    );
    expect((await w.http.post(`${w.E}/assignments`, { workerIds: ids }, w.managers.prime.token)).status).toBe(200);

    const r = await w.http.post(`${w.E}/reminders`, undefined, w.managers.prime.token);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ reminded: 0, invited: ids.length, limited: 0 });
    const [queued] = await t.query<{ n: number }>("SELECT COUNT(*) AS n FROM mail_outbox WHERE kind = 'worker_invitation_reminder'");
    expect(Number(queued.n)).toBe(ids.length);
    const events = await t.query<{ details: string }>("SELECT details FROM audit_events WHERE action = 'reminders.sent' ORDER BY seq");
    expect(events.map((e) => JSON.parse(e.details).invited)).toEqual([1000, ids.length - 1000]);
    // Every assignment stamped: the same day's second round reminds nobody again.
    expect((await w.http.post(`${w.E}/reminders`, undefined, w.managers.prime.token)).body).toEqual({
      reminded: 0,
      invited: 0,
      limited: ids.length,
    });
  }, 60_000);
});
