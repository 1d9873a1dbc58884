import { LARGE_EXPORT_WORKERS, releaseHeapAfterExport } from './heap-release';

describe('releaseHeapAfterExport (issue 17)', () => {
  it('schedules a release only after exports of LARGE_EXPORT_WORKERS workers or more, one at a time', async () => {
    expect(releaseHeapAfterExport(LARGE_EXPORT_WORKERS - 1)).toBe(false);
    expect(releaseHeapAfterExport(LARGE_EXPORT_WORKERS)).toBe(true);
    // A second export ending before the first release ran adds nothing.
    expect(releaseHeapAfterExport(100_000)).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(releaseHeapAfterExport(100_000)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
  });
});
