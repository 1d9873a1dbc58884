/**
 * Gives the C heap's free pages back to the operating system: glibc's `malloc_trim(3)`, called on a timer.
 *
 * Why (issue 17, README, Performance): glibc returns memory to the system only from the top of a heap.
 * Everything else freed inside it (SQLite's page caches and statements, V8's compiler zones, the
 * streams' buffers) stays resident, scattered between chunks still in use: over a quiz with 64 workers
 * and the progress reports the main thread's heap grew from 26 to 53 MB while heaptrack found far less
 * in use, and nothing brought it back. `malloc_trim(0)` walks every arena and releases the pages of free
 * chunks wherever they are (`madvise(MADV_DONTNEED)`; glibc ≥ 2.8). It does not move anything and costs
 * about a millisecond on this service's heaps (measured: see README). Node.js does not expose it; koffi
 * (a maintained FFI library with prebuilt binaries) calls it, so there is no native code of ours to build.
 *
 * Only where the C library is glibc (Linux, not musl or macOS): elsewhere `startMallocTrim` returns null
 * and nothing runs.
 */
export interface MallocTrim {
  /** Releases the free pages now; true if any memory was given back (malloc_trim's return value). */
  trim(): boolean;
  stop(): void;
}

/**
 * `malloc_trim` bound from glibc, or null where the C library is not glibc (no `libc.so.6`, or one without
 * the symbol, as musl's compatibility layer) or koffi cannot load. The lookup itself is the check: a
 * diagnostic report (`process.report`) would say the same for ~10 ms of start-up.
 */
export function bindMallocTrim(): ((pad: number) => number) | null {
  if (process.platform !== 'linux') return null;
  try {
    // Loaded only here: a platform without koffi's prebuilt binary still starts, without the trim.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const koffi = require('koffi') as typeof import('koffi');
    return koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as (pad: number) => number;
  } catch {
    return null;
  }
}

/**
 * Calls malloc_trim(0) every `intervalSeconds` on the main thread (the timer does not keep the process
 * alive). Returns null, and does nothing, when `intervalSeconds` is 0 or glibc's malloc_trim is not there.
 */
export function startMallocTrim(intervalSeconds: number): MallocTrim | null {
  if (intervalSeconds <= 0) return null;
  const mallocTrim = bindMallocTrim();
  if (!mallocTrim) return null;
  const trim = () => mallocTrim(0) === 1;
  const timer = setInterval(trim, intervalSeconds * 1000);
  timer.unref();
  return { trim, stop: () => clearInterval(timer) };
}
