import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Gives V8's heap back to the system after a large export (issue 17, README, Performance).
 *
 * Why: after a full collection V8 keeps the pages it freed in a pool, resident, for the next allocations; it
 * returns them only in a memory-reducing collection, which it schedules for an idle process. Measured in a
 * plain `node` process: a full collection left 150 MB of pages resident for an old generation of 3 MB; a
 * last-resort collection (V8's `CollectAllAvailableGarbage`: full collections that also shrink the young
 * generation and compact) gave them back. An export of 100,000 workers takes V8's generations to their
 * highest, and the service kept that size for the rest of its life. Measured over the quiz, the progress
 * reports, the three exports and the import: peak 285 → 270 MB, the exports' 275–277 → 252–258 MB, for a
 * pause of 140–220 ms after each 100,000-worker export. So only exports that read LARGE_EXPORT_WORKERS
 * workers or more do it, on the next turn after their last page was read (or the reader gave up), at most
 * one at a time. What still holds the export then (its last bytes in the socket, the close-out's archive,
 * which keeps the whole report) stays; the pages V8 pooled go back.
 */
export const LARGE_EXPORT_WORKERS = 10_000;

type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;
let gcFunction: GcFunction | undefined;
let scheduled = false;

/**
 * V8's `gc` without exposing it in the service's own context: `--expose-gc` set now applies to contexts
 * created after it, and one made for this hands the function back.
 */
function v8Gc(): GcFunction {
  if (!gcFunction) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as GcFunction;
  }
  return gcFunction;
}

/** A last-resort collection now, synchronously: every V8 generation shrunk to what is live, the pooled pages returned. */
export function releaseHeap(): void {
  v8Gc()({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

/**
 * After an export that read `workers` workers has ended (read to its end, abandoned or failed): with LARGE_EXPORT_WORKERS or more, a
 * releaseHeap on the next turn of the event loop (one at a time: a second export ending meanwhile adds
 * nothing). Returns whether one was scheduled.
 */
export function releaseHeapAfterExport(workers: number): boolean {
  if (workers < LARGE_EXPORT_WORKERS || scheduled) return false;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    releaseHeap();
  });
  return true;
}
