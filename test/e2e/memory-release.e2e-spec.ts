import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startMallocTrim } from '../../src/system/malloc-trim';

const root = join(__dirname, '..', '..');

/** Runs `script` in a node process of its own (so what it measures is its own) and parses the JSON it prints. */
function measure<T>(script: string): T {
  execFileSync(process.execPath, ['scripts/build-if-needed.js'], { cwd: root, stdio: 'pipe' });
  return JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', script], { cwd: root, encoding: 'utf8' })) as T;
}

/** glibc's version where the C library is glibc (Node's diagnostic report says), else undefined. */
const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;

describe('malloc_trim gives the C heap’s free pages back (issue 17)', () => {
  it('is off at 0 seconds', () => {
    expect(startMallocTrim(0)).toBeNull();
  });

  if (process.platform === 'linux' && glibc) {
    it('releases the pages of chunks freed between chunks still in use, which glibc keeps by itself', () => {
      // In a process of its own, so the measure is its own: 4,000 chunks of 16 KiB (64 MB, below glibc's mmap
      // threshold, so inside the heap), each followed by a small one that stays; freeing the big ones leaves
      // holes glibc cannot give back from the heap's top.
      const script = `
        const { startMallocTrim } = require(${JSON.stringify(join(root, 'dist/system/malloc-trim.js'))});
        const anonMb = () => +/RssAnon:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1] / 1024;
        let big = [];
        const small = [];
        for (let i = 0; i < 4000; i++) { big.push(Buffer.allocUnsafeSlow(16384).fill(1)); small.push(Buffer.allocUnsafeSlow(64)); }
        big = null;
        gc();
        setTimeout(() => {
          const before = anonMb();
          const t = startMallocTrim(3600);
          const released = t.trim();
          t.stop();
          console.log(JSON.stringify({ before, after: anonMb(), released, kept: small.length }));
        }, 300);`;
      const out = measure<{ before: number; after: number; released: boolean }>(script);
      expect(out.released).toBe(true);
      // 48 MB of whole free pages (three of each 16 KiB hole); glibc kept them until the trim.
      expect(out.before - out.after).toBeGreaterThan(40);
    });
  } else {
    it('does nothing where the C library is not glibc', () => {
      expect(startMallocTrim(1)).toBeNull();
    });
  }
});

describe('a large export gives V8’s pooled pages back (issue 17)', () => {
  it('a full collection leaves the freed pages resident; releaseHeap returns them', () => {
    // A million small objects (~150 MB of V8's pages), dropped; a regular full collection frees them but V8 keeps
    // the pages in its pool, resident; the last-resort collection gives them back.
    const out = measure<{ full: number; afterGc: number; afterRelease: number }>(`
      const { releaseHeap } = require(${JSON.stringify(join(root, 'dist/system/heap-release.js'))});
      const rssMb = () => process.memoryUsage.rss() / 1048576;
      let objects = [];
      for (let i = 0; i < 1e6; i++) objects.push({ a: 'x' + i, b: [i, i + 1] });
      const full = rssMb();
      objects = null;
      gc({ type: 'major', execution: 'sync' });
      const afterGc = rssMb();
      releaseHeap();
      console.log(JSON.stringify({ full, afterGc, afterRelease: rssMb(), kept: objects }));`);
    expect(out.full - out.afterGc).toBeLessThan(60);
    expect(out.afterGc - out.afterRelease).toBeGreaterThan(80);
  });
});
