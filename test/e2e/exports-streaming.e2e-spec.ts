import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import * as trackingData from '../../src/reports/tracking-data';
import { EXPORT_PAGE, TrackingService } from '../../src/reports/tracking.service';
import { SessionsService } from '../../src/sessions/sessions.service';
import { progressCsv } from '../../src/web/progress-csv';
import { ContentService } from '../../src/content/content.service';
import { Engagement } from '../../src/engagements/engagement.entity';
import { useWorld, World } from '../factories/world';
import type { TestApp } from '../utils/create-app';

const WORKERS = 100_000;

/**
 * The progress CSV of a 100,000-worker engagement streams (issue 17): its
 * first rows leave when one page of detail has been read, not after all of
 * them. Asserted on the stream (what has been read when the first rows come
 * out), never on time. And while such an export streams, the service keeps
 * answering other requests (one page per turn of the event loop): asserted on
 * the order of events over a real socket.
 */
describe('streamed exports', () => {
  let t: TestApp;
  let w: World;
  useWorld((app, world) => ([t, w] = [app, world]));

  beforeAll(async () => {
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

  it('the first pass over 100,000 standings lets the event loop turn while it reads (SQLite: between chunks)', async () => {
    const engagement = await t.dataSource.getRepository(Engagement).findOneByOrFail({ id: w.engagement.id });
    let turned = false;
    setImmediate(() => (turned = true));
    let seen = 0;
    let seenWhenTurned = -1;
    await trackingData.forEachWorkerSummary(t.dataSource, t.app.get(ContentService), engagement, new Set([w.prime.id]), () => {
      if (turned && seenWhenTurned < 0) seenWhenTurned = seen;
      seen++;
    });
    expect(seen).toBe(WORKERS);
    // A turn came before the last worker was read (on SQLite after the first chunk; the pass read them all in one go before).
    expect(seenWhenTurned).toBeGreaterThanOrEqual(0);
    expect(seenWhenTurned).toBeLessThan(WORKERS);
    if (t.dataSource.options.type === 'better-sqlite3') expect(seenWhenTurned).toBe(trackingData.SQLITE_WORKER_CHUNK);
  });

  describe('over HTTP, while 100,000 workers stream', () => {
    let base: string;
    beforeAll(async () => {
      await t.app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    });

    /**
     * What ends first, the export or a /healthz asked once the export's first bytes are in. The client is a
     * process of its own that reads as fast as the socket delivers: in this process the reads would wait
     * for the event loop under test, and the export would pause on the socket's back-pressure anyway.
     * Before the export paced its pages (one per turn of the event loop), /healthz waited for all of them.
     */
    const order = (path: string) =>
      new Promise<string[]>((resolve, reject) => {
        const client = `
          const http = require('node:http');
          const [base, token, path] = process.argv.slice(1);
          const events = [];
          const done = () => events.length === 2 && console.log(JSON.stringify(events));
          http.get(base + path, { headers: { authorization: 'Bearer ' + token } }, (res) => {
            if (res.statusCode !== 200) throw new Error('export answered ' + res.statusCode);
            let asked = false;
            res.on('data', () => {
              if (asked) return;
              asked = true;
              http.get(base + '/healthz', (h) => { h.resume(); h.on('end', () => { events.push('healthz ' + h.statusCode); done(); }); });
            });
            res.on('end', () => { events.push('export ended'); done(); });
          });`;
        execFile(process.execPath, ['-e', client, base, w.staff.token, path], (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as string[]),
        );
      });

    it('the progress CSV: another request is answered before the export ends', async () => {
      expect(await order(`/api/v1/engagements/${w.engagement.id}/progress?format=csv`)).toEqual(['healthz 200', 'export ended']);
    }, 300_000);

    it('the Article 11 report (JSON): another request is answered before the report ends', async () => {
      expect(await order(`/api/v1/engagements/${w.engagement.id}/report`)).toEqual(['healthz 200', 'export ended']);
    }, 300_000);
  });
});
