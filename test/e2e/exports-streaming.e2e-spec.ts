import { randomUUID } from 'node:crypto';
import * as trackingData from '../../src/reports/tracking-data';
import { EXPORT_PAGE, TrackingService } from '../../src/reports/tracking.service';
import { SessionsService } from '../../src/sessions/sessions.service';
import { progressCsv } from '../../src/web/progress-csv';
import { ContentService } from '../../src/content/content.service';
import { buildWorld, World } from '../factories/world';
import { createTestApp, TestApp } from '../utils/create-app';

const WORKERS = 100_000;

/**
 * The progress CSV of a 100,000-worker engagement streams (issue 17): its
 * first rows leave when one page of detail has been read, not after all of
 * them. Asserted on the stream (what has been read when the first rows come
 * out), never on time.
 */
describe('streamed exports', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp();
    w = await buildWorld(t);
    // The workers, written straight into the tables (the API would take minutes for 100,000).
    const now = new Date().toISOString();
    for (let i = 0; i < WORKERS; i += 500) {
      const ids = Array.from({ length: Math.min(500, WORKERS - i) }, () => randomUUID());
      await t.query(
        `INSERT INTO workers (id, organization_id, name, email, employee_number, created_at, updated_at) VALUES ${ids.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        ids.flatMap((id, k) => [
          id,
          w.prime.id,
          `従事者\u3000${String(i + k).padStart(6, '0')}`,
          `s${i + k}@stream.example.jp`,
          `S${i + k}`,
          now,
          now,
        ]),
      );
      await t.query(
        `INSERT INTO assignments (engagement_id, worker_id, assigned_by, assigned_at) VALUES ${ids.map(() => '(?, ?, ?, ?)').join(', ')}`,
        ids.flatMap((id) => [w.engagement.id, id, w.staff.id, now]),
      );
    }
  }, 600_000);
  afterAll(() => t.close());

  it('the progress CSV of 100,000 workers: the first rows leave after one page of detail is read, not the last', async () => {
    const detail = jest.spyOn(trackingData, 'loadWorkerRows');
    const staff = (await t.app.get(SessionsService).resolve(w.staff.token))!;
    const exported = await t.app.get(TrackingService).progressExport(staff, w.engagement.id, { lang: 'ja' });
    const csv = progressCsv(exported, 'ja', t.app.get(ContentService));
    const chunks = csv[Symbol.asyncIterator]();
    const header = String((await chunks.next()).value);
    expect(header.startsWith('\uFEFF組織,')).toBe(true);
    const firstRows = String((await chunks.next()).value);
    expect(firstRows.split('\r\n').filter(Boolean)).toHaveLength(EXPORT_PAGE);
    const pages = Math.ceil(WORKERS / EXPORT_PAGE);
    // One page read (perhaps one more, read ahead into the stream's buffer) of the hundred the export needs.
    expect(detail.mock.calls.length).toBeLessThanOrEqual(2);
    let lines = 1 + EXPORT_PAGE;
    for (let c = await chunks.next(); !c.done; c = await chunks.next()) lines += String(c.value).split('\r\n').filter(Boolean).length;
    expect(lines).toBe(1 + WORKERS);
    expect(detail.mock.calls.length).toBe(pages);
    detail.mockRestore();
  });
});
