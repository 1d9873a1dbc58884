import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `npm run bench -- --quick` end to end: builds, generates the tiny data
 * set, boots the service and the baseline, runs every workload and writes
 * the results (with TEST_DATABASE_URL, the PostgreSQL workloads too). No timing is asserted here (figures on a shared machine say
 * nothing); only that the run completes, that service and baseline agree on the
 * totals they compute, and that it reports a ratio for each workload.
 */
describe('npm run bench -- --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 'a4-bench-smoke-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every workload and writes numeric ratios', async () => {
    const out = join(dir, 'results.json');
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      // On the PostgreSQL run of the suite, the PostgreSQL workloads too (a schema of their own in that database).
      const pg = process.env.TEST_DATABASE_URL ? [`--pg=${process.env.TEST_DATABASE_URL}`] : [];
      const child = spawn('npm', ['run', 'bench', '--', '--quick', `--out=${out}`, ...pg], {
        cwd: join(__dirname, '../..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const timer = setTimeout(() => child.kill('SIGTERM'), 280_000);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c, output });
      });
    });
    if (code !== 0) throw new Error(`bench exited with ${code}:\n${output.slice(-3000)}`);
    // A ratio means something only if both sides computed the same thing: the runner warns when the service's
    // totals or readiness counts differ from the baseline's (the baseline once lacked the not-enrolled count).
    expect(output).not.toMatch(/warning: .* differ/);

    const results = JSON.parse(readFileSync(out, 'utf8')) as {
      mode: string;
      workloads: { id: string; ratio: unknown; measured: unknown; pass: unknown }[];
    };
    expect(results.mode).toBe('quick');
    // Peak RSS is read from /proc: Linux only.
    const expected = [
      'certificate-verification',
      'credential-fetch',
      'conditional-verification',
      'conditional-credential',
      'progress-csv-export',
      'article11-json',
      'article11-page',
      ...(process.env.TEST_DATABASE_URL ? ['pg-verification', 'pg-quiz-sitting'] : []),
      'csv-import',
      'progress-linearity',
      'progress-report',
      'quiz-sitting',
      'readiness',
      ...(process.platform === 'linux' ? ['peak-rss'] : []),
    ];
    expect(results.workloads.map((w) => w.id).sort()).toEqual(expected.sort());
    for (const w of results.workloads) {
      expect(typeof w.ratio).toBe('number');
      expect(Number.isFinite(w.ratio)).toBe(true);
      expect(typeof w.measured).toBe('number');
      expect(typeof w.pass).toBe('boolean');
    }
  }, 300_000);
});
