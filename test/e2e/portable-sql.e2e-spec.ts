import { CURSOR_BATCH, forEachRow } from '../../src/database/portable-sql';
import { createTestApp, TestApp } from '../utils/create-app';

/** forEachRow on the database under test (SQLite, or PostgreSQL through a cursor with TEST_DATABASE_URL). */
describe('forEachRow', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  const series = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) SELECT i FROM n';

  it('hands over every row, in order, across several cursor batches', async () => {
    const total = 2 * CURSOR_BATCH + 3;
    const seen: number[] = [];
    await forEachRow<{ i: number | string }>(t.dataSource, series, [total], (row) => seen.push(Number(row.i)));
    expect(seen).toEqual(Array.from({ length: total }, (_, k) => k + 1));
    const exact: number[] = [];
    await forEachRow<{ i: number | string }>(t.dataSource, series, [CURSOR_BATCH], (row) => exact.push(Number(row.i)));
    expect(exact).toHaveLength(CURSOR_BATCH);
  });

  it('rejects a failing read or a failing callback and leaves the connections usable', async () => {
    // Compared by message: the driver's error class may come from another test file's realm (a native module loads once per process).
    const failed = await forEachRow(t.dataSource, 'SELECT no_such_column FROM attempts', [], () => undefined).then(
      () => null,
      (e: { message?: string }) => e,
    );
    expect(failed?.message).toMatch(/no_such_column/);
    await expect(
      forEachRow(t.dataSource, series, [3], () => {
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    // Many reads in a row: none holds a connection or an open transaction afterwards.
    for (let k = 0; k < 20; k++) {
      let n = 0;
      await forEachRow(t.dataSource, series, [2], () => n++);
      expect(n).toBe(2);
    }
    expect(await t.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
