/*
 * `npm run bench` — the service against a bare baseline, on the same data, in
 * the same run, on 127.0.0.1 only. See README.md ("Performance").
 *
 *   npm run bench                   full sizes (100,000 certificates, 10,000 / 100,000 workers, 10,000 CSV rows)
 *   npm run bench -- --quick        tiny sizes, about a second per workload (the smoke test)
 *   options: --seed=N  --out=file (instead of bench/results.json)  --fresh (regenerate the cached data set)  --only=verify,credential,conditional,quiz,progress,readiness,linearity,export,article11,csv,pg
 *            --log-level=warn (the service's LOG_LEVEL, info by default as the targets are; with another level, a second service at
 *            info runs the lookups beside it to measure what that costs)  --cpu-prof (profile the service)
 *            --pg=postgres://user@host:port/db (also BENCH_PG_URL): verification on PostgreSQL too, against a bare pg baseline
 *   environment: BENCH_SERVICE_NODE_OPTIONS="--trace-gc" (flags for the service's node), BENCH_KEEP=1 (keep the work folder)
 *
 * The service runs as a child process (`node dist/main.js`, built first if
 * needed) so its memory is measured on its own; the baseline server
 * (bench/baseline/server.ts) is a second child. Prints a table and writes
 * bench/results.json. Exits 0 when every workload ran (targets met or not),
 * 1 when something failed to run.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { loadContent } from '../src/content/content-loader';
import { MIGRATIONS } from '../src/database/migrations';
import { generateCsv, Manifest, migrate, seedDataset } from './lib/dataset';
import { pgDataset } from './lib/pg';
import { freePort, killAll, Service, startService } from './lib/proc';
import { FULL, QUICK } from './lib/sizes';
import { timeImports } from './scenarios/csv-import';
import { timeDocuments } from './scenarios/documents';
import { conditionalLookups, lookupLoad } from './scenarios/lookups';
import { answerKey, quizLoad } from './scenarios/quiz';
import { timeReports } from './scenarios/reports';

const ROOT = resolve(__dirname, '..');
const argv = process.argv.slice(2);
const flag = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const sizes = argv.includes('--quick') ? QUICK : FULL;
const seed = Number(flag('seed') ?? 20261125);
/** The service's LOG_LEVEL for the run: the default (info), where the targets are set; with another level, a second service at info runs the lookups beside it. */
const logLevel = flag('log-level') ?? process.env.BENCH_LOG_LEVEL ?? 'info';
const only = flag('only')?.split(',');
/** PostgreSQL for the verification and quiz workloads there (a schema `bench_<key>` of this database is created and reused). */
const pgUrl = flag('pg') ?? process.env.BENCH_PG_URL;
const out = resolve(flag('out') ?? join(__dirname, 'results.json'));
const wanted = (id: string) => !only || only.includes(id);
const DAY = 86400_000;
/** Timed fetches per side of each 100,000-worker document (each takes seconds; two give a median). */
const EXPORT_RUNS = 2;

interface Target {
  op: '>=' | '<=';
  value: number;
}
interface Workload {
  id: string;
  title: string;
  unit: string;
  measured: number;
  baseline: number | null;
  /** measured / baseline (for memory: measured / the limit). */
  ratio: number;
  target: Target;
  pass: boolean;
  details: Record<string, unknown>;
  /** A second condition of the target (the quiz's p99), already judged. */
  also?: { text: string; pass: boolean };
}

const workloads: Workload[] = [];
/** The service's highest RSS during the workload being recorded (set once the service runs). */
let windowRss: () => number | null = () => null;
function record(w: Omit<Workload, 'pass'>) {
  const pass = (w.target.op === '>=' ? w.ratio >= w.target.value : w.ratio <= w.target.value) && (w.also?.pass ?? true);
  if (w.id !== 'peak-rss') w.details.serviceRssPeakMb = windowRss();
  workloads.push({ ...w, pass });
  const rss = typeof w.details.serviceRssPeakMb === 'number' ? `; service RSS ≤ ${w.details.serviceRssPeakMb.toFixed(0)} MB` : '';
  console.log(
    `  ${pass ? 'pass' : 'FAIL'}  ${w.title}: ${fmt(w.measured)} vs ${w.baseline === null ? '—' : fmt(w.baseline)} ${w.unit} → ratio ${w.ratio.toFixed(2)} (target ${w.target.op} ${w.target.value}${w.also ? `, ${w.also.text}` : ''})${rss}`,
  );
}
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The data set, generated once per seed, size, day and schema, then copied for each run. */
async function dataset(
  workDir: string,
): Promise<{ file: string; baselineFile: string; cachedFile: string; key: string; manifest: Manifest; seconds: number; cached: boolean }> {
  const anchor = Math.floor(Date.now() / DAY) * DAY;
  const generator = ['lib/dataset.ts', 'lib/prng.ts', 'lib/sizes.ts'].map((f) => readFileSync(join(__dirname, f), 'utf8')).join();
  const key = createHash('sha256')
    .update(JSON.stringify({ seed, sizes, anchor, migrations: MIGRATIONS.map((m) => m.name), generator }))
    .digest('hex')
    .slice(0, 16);
  const cacheDir = join(tmpdir(), 'article4-bench');
  mkdirSync(cacheDir, { recursive: true });
  const cached = join(cacheDir, `${sizes.name}-${key}.sqlite`);
  const started = Date.now();
  const hit = existsSync(cached) && existsSync(`${cached}.json`) && !argv.includes('--fresh');
  if (!hit) {
    for (const f of readdirSync(cacheDir))
      if (f.startsWith(`${sizes.name}-`) && !f.startsWith(`${sizes.name}-${key}`)) rmSync(join(cacheDir, f), { force: true });
    console.log(`Generating the ${sizes.name} data set (seed ${seed}); cached in ${cacheDir} for later runs…`);
    const tmp = join(workDir, 'seed.sqlite');
    await migrate(tmp);
    const manifest = seedDataset(tmp, sizes, seed, anchor, loadContent(join(ROOT, 'content')).modules);
    copyFileSync(tmp, `${cached}.${process.pid}.part`);
    renameSync(`${cached}.${process.pid}.part`, cached);
    writeFileSync(`${cached}.json`, JSON.stringify(manifest));
    rmSync(tmp, { force: true });
  }
  // One copy each: the quiz and the imports write, and two processes writing one SQLite file would contend for its lock.
  const file = join(workDir, 'service.sqlite');
  const baselineFile = join(workDir, 'baseline.sqlite');
  copyFileSync(cached, file);
  copyFileSync(cached, baselineFile);
  return {
    file,
    baselineFile,
    cachedFile: cached,
    key,
    manifest: JSON.parse(readFileSync(`${cached}.json`, 'utf8')) as Manifest,
    seconds: (Date.now() - started) / 1000,
    cached: hit,
  };
}

function build() {
  try {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-if-needed.js')], { cwd: ROOT, stdio: 'inherit' });
  } catch (err) {
    // tsc still emits on type errors (someone else's work in progress); run what was built.
    if (!existsSync(join(ROOT, 'dist/main.js'))) throw err;
    console.warn('bench: the build reported errors; running the emitted dist/ anyway');
  }
}

async function main() {
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'a4-bench-'));
  const services: Service[] = [];
  const watchdog = setTimeout(
    () => {
      console.error('bench: still running after the time limit; stopping');
      killAll();
      process.exit(1);
    },
    sizes.name === 'quick' ? 240_000 : 1_800_000,
  );
  watchdog.unref();
  try {
    build();
    const data = await dataset(workDir);
    const m = data.manifest;
    console.log(
      `Data set (${data.cached ? 'cached' : 'generated'} in ${data.seconds.toFixed(1)} s): ${Object.entries(m.counts)
        .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)
        .join(', ')}`,
    );

    const [appPort, basePort] = [await freePort(), await freePort()];
    const profileDir = join(tmpdir(), 'article4-bench', 'profiles');
    const cpuProf = argv.includes('--cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    // The service runs as `npm start` runs it: with the node flags of package.json's config (README, Performance).
    const nodeFlags = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { config: { node_flags: string } }).config.node_flags
      .split(' ')
      .filter(Boolean);
    const service = (name: string, port: number, level: string, flags: string[] = [], databaseUrl = `sqlite:${data.file}`) =>
      startService(
        name,
        [...nodeFlags, ...flags, join(ROOT, 'dist/main.js')],
        {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          PORT: String(port),
          PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
          DATABASE_URL: databaseUrl,
          DATA_DIR: workDir,
          CONTENT_DIR: join(ROOT, 'content'),
          LOG_LEVEL: level,
          SIGNING_KEY_PEM: m.signingKeyPem,
          DATA_ENCRYPTION_KEY: m.dataEncryptionKey,
          // The mail scheduler's rounds (reminders to 100,000 workers) are a background job, not a request path: off, so
          // they do not land inside a measured workload (README, Performance).
          MAIL_SCHEDULE_MINUTES: '0',
        },
        port,
        join(workDir, `${name}.log`),
      );
    const app = await service('service', appPort, logLevel, [
      ...cpuProf,
      ...(process.env.BENCH_SERVICE_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
    ]);
    services.push(app);
    const base = await startService(
      'baseline',
      ['-r', 'ts-node/register/transpile-only', join(ROOT, 'bench/baseline/server.ts')],
      {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: String(basePort),
        BENCH_DB: data.baselineFile,
        // The import writes personal columns encrypted, as the service does.
        BENCH_DATA_KEY: m.dataEncryptionKey,
        CONTENT_DIR: join(ROOT, 'content'),
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      },
      basePort,
      join(workDir, 'baseline.log'),
    );
    services.push(base);
    console.log(`Service started, RSS peak ${app.windowPeakRssMb()?.toFixed(0) ?? '?'} MB so far`);
    windowRss = app.windowPeakRssMb;
    console.log(`Service pid ${app.pid} on ${app.url} (LOG_LEVEL=${logLevel}); baseline pid ${base.pid} on ${base.url}\n`);

    // The same service at LOG_LEVEL=info (the default), reading the same file, beside the lookups: what a request log line costs.
    const atDefault =
      logLevel !== 'info' && (wanted('verify') || wanted('credential')) ? await service('service-info', await freePort(), 'info') : null;
    const lookups = async (id: string, title: string, suffix: string, target: number, conditional = false) => {
      const paths = m.serials.map((s) => `/api/v1/certificates/${s}${suffix}`);
      const urls = [app.url, base.url, ...(atDefault ? [atDefault.url] : [])];
      // Conditional GETs: each server's own ETags for a slice of the serials, sent back as If-None-Match (answered 304).
      const requests = conditional
        ? await Promise.all(urls.map((u) => conditionalLookups(u, paths.slice(0, sizes.conditionalSerials))))
        : paths.map((path) => ({ path }));
      const [a, b, c] = await lookupLoad(urls, requests, sizes, conditional ? '3xx' : '2xx');
      if (a.failures || b.failures || c?.failures)
        throw new Error(`${title}: ${a.failures} failed requests against the service, ${b.failures} against the baseline`);
      const info = c && { logLevel: 'info', rps: c.rps, ratio: c.rps / b.rps, p99Ms: c.p99, costPercent: 100 * (1 - c.rps / a.rps) };
      record({
        id,
        title,
        unit: 'req/s',
        measured: a.rps,
        baseline: b.rps,
        ratio: a.rps / b.rps,
        target: { op: '>=', value: target },
        details: {
          p50Ms: a.p50,
          p99Ms: a.p99,
          baselineP50Ms: b.p50,
          baselineP99Ms: b.p99,
          p99Ratio: a.p99 / Math.max(b.p99, 1),
          requests: a.requests,
          baselineRequests: b.requests,
          connections: sizes.connections,
          seconds: sizes.loadSeconds,
          ...(info ? { atDefaultLogLevel: info } : {}),
        },
      });
    };
    if (wanted('verify'))
      await lookups(
        'certificate-verification',
        `Certificate verification over ${m.counts.certificates.toLocaleString('en-US')} certificates`,
        '',
        0.6,
      );
    if (wanted('credential')) await lookups('credential-fetch', 'Credential fetch (stored JWS)', '/credential', 0.6);
    if (wanted('conditional')) {
      await lookups('conditional-verification', 'Conditional GET of the verification (If-None-Match → 304)', '', 0.6, true);
      await lookups('conditional-credential', 'Conditional GET of the credential (If-None-Match → 304)', '/credential', 0.6, true);
    }
    await atDefault?.stop();

    // A quiz workload against a service and its bare baseline: one row, the p99 condition where asked.
    const quizKey = answerKey(loadContent(join(ROOT, 'content')).modules);
    const quizRow = async (urls: [string, string], row: { id: string; title: string; label: string; target: number; p99?: boolean }) => {
      const [a, b] = await quizLoad(
        [
          { url: urls[0], tokens: m.quiz.app },
          { url: urls[1], tokens: m.quiz.baseline },
        ],
        m.quiz.engagementId,
        m.quiz.moduleIds,
        quizKey,
        sizes,
      );
      if (a.failures || b.failures || !a.sittings || !b.sittings)
        throw new Error(
          `${row.label}: ${a.failures} failures against the service (${a.firstFailure}), ${b.failures} against the baseline (${b.firstFailure})`,
        );
      record({
        id: row.id,
        title: row.title,
        unit: 'sittings/s',
        measured: a.sittingsPerSecond,
        baseline: b.sittingsPerSecond,
        ratio: a.sittingsPerSecond / b.sittingsPerSecond,
        target: { op: '>=', value: row.target },
        ...(row.p99 ? { also: { text: `p99 ≤ 2× baseline: ${(a.p99 / b.p99).toFixed(2)}×`, pass: a.p99 <= 2 * b.p99 } } : {}),
        details: {
          p50Ms: a.p50,
          p99Ms: a.p99,
          baselineP50Ms: b.p50,
          baselineP99Ms: b.p99,
          sittings: a.sittings,
          baselineSittings: b.sittings,
        },
      });
    };
    if (wanted('quiz'))
      await quizRow([app.url, base.url], {
        id: 'quiz-sitting',
        title: `Quiz sitting (start + submit, ${sizes.quizWorkers} workers at once)`,
        label: 'quiz',
        target: 0.55,
        p99: true,
      });

    const report = async (kind: 'progress' | 'readiness', engagementId: string, runs: number) => {
      const path = `/api/v1/engagements/${engagementId}/${kind}`;
      const [a, b] = await timeReports([app.url + path, base.url + path], m.staffToken, runs);
      return { a, b, agree: same(a.summary, b.summary) };
    };
    let progress10k: number | null = null;
    if (wanted('progress') || wanted('linearity')) {
      const { a, b, agree } = await report('progress', m.tracking.id, sizes.reportRuns);
      progress10k = a.ms;
      if (!agree)
        console.warn(`  warning: progress totals differ: service ${JSON.stringify(a.summary)}, baseline ${JSON.stringify(b.summary)}`);
      if (wanted('progress'))
        record({
          id: 'progress-report',
          title: `Progress report, ${m.tracking.workers.toLocaleString('en-US')} workers / ${sizes.organizations} organizations / 3 tiers`,
          unit: 'ms',
          measured: a.ms,
          baseline: b.ms,
          ratio: a.ms / b.ms,
          target: { op: '<=', value: 3 },
          details: {
            runsMs: a.runs,
            baselineRunsMs: b.runs,
            bytes: a.bytes,
            baselineBytes: b.bytes,
            totals: a.summary,
            totalsAgree: agree,
          },
        });
    }
    if (wanted('readiness')) {
      const { a, b, agree } = await report('readiness', m.tracking.id, sizes.reportRuns);
      if (!agree)
        console.warn(`  warning: readiness counts differ: service ${JSON.stringify(a.summary)}, baseline ${JSON.stringify(b.summary)}`);
      record({
        id: 'readiness',
        title: `Readiness, ${m.tracking.workers.toLocaleString('en-US')} workers`,
        unit: 'ms',
        measured: a.ms,
        baseline: b.ms,
        ratio: a.ms / b.ms,
        target: { op: '<=', value: 3 },
        details: { runsMs: a.runs, baselineRunsMs: b.runs, bytes: a.bytes, baselineBytes: b.bytes, counts: a.summary, countsAgree: agree },
      });
    }
    if (wanted('linearity') && progress10k !== null) {
      const { a, b, agree } = await report('progress', m.trackingLarge.id, sizes.reportRunsLarge);
      if (!agree)
        console.warn(
          `  warning: progress totals differ (large): service ${JSON.stringify(a.summary)}, baseline ${JSON.stringify(b.summary)}`,
        );
      const scale = m.trackingLarge.workers / m.tracking.workers;
      record({
        id: 'progress-linearity',
        title: `Progress report, ${m.trackingLarge.workers.toLocaleString('en-US')} workers (vs the ${m.tracking.workers.toLocaleString('en-US')} time)`,
        unit: 'ms',
        measured: a.ms,
        baseline: progress10k,
        ratio: a.ms / progress10k,
        target: { op: '<=', value: 1.1 * scale },
        details: {
          runsMs: a.runs,
          workersRatio: scale,
          baselineMs: b.ms,
          ratioToBaseline: a.ms / b.ms,
          totals: a.summary,
          totalsAgree: agree,
        },
      });
    }

    // The heavy reads at 100,000 workers, streamed by both sides: the progress CSV, the Article 11 report as JSON and as the page.
    const exports = [
      ['export', 'progress-csv-export', 'Progress CSV export', `/api/v1/engagements/${m.trackingLarge.id}/progress?format=csv`],
      ['article11', 'article11-json', 'Article 11 report (JSON with digest)', `/api/v1/engagements/${m.trackingLarge.id}/report`],
      ['article11', 'article11-page', 'Article 11 report (printable page)', `/engagements/${m.trackingLarge.id}/report`],
    ] as const;
    for (const [option, id, title, path] of exports) {
      if (!wanted(option)) continue;
      const [a, b] = await timeDocuments(
        [app.url + path, base.url + path],
        { authorization: `Bearer ${m.staffToken}` },
        sizes.name === 'quick' ? 1 : EXPORT_RUNS,
      );
      record({
        id,
        title: `${title}, ${m.trackingLarge.workers.toLocaleString('en-US')} workers / 3 tiers`,
        unit: 'ms',
        measured: a.ms,
        baseline: b.ms,
        ratio: a.ms / b.ms,
        target: { op: '<=', value: 3 },
        details: {
          runsMs: a.runs,
          baselineRunsMs: b.runs,
          firstByteMs: a.firstByteMs,
          baselineFirstByteMs: b.firstByteMs,
          bytes: a.bytes,
          baselineBytes: b.bytes,
          lines: a.lines,
          baselineLines: b.lines,
        },
      });
    }

    if (wanted('csv')) {
      const csv = generateCsv(sizes.csvRows, seed, 'import.example.jp');
      const [a, b] = await timeImports(
        [
          { url: app.url, targets: m.csv.app },
          { url: base.url, targets: m.csv.baseline },
        ],
        csv,
        sizes.csvRows,
      );
      record({
        id: 'csv-import',
        title: `CSV import of ${sizes.csvRows.toLocaleString('en-US')} workers`,
        unit: 'rows/s',
        measured: a.rowsPerSecond,
        baseline: b.rowsPerSecond,
        ratio: a.rowsPerSecond / b.rowsPerSecond,
        target: { op: '>=', value: 0.3 },
        details: { ms: a.ms, baselineMs: b.ms, runsMs: a.runs, baselineRunsMs: b.runs, bytes: csv.length },
      });
    }

    // PostgreSQL: the service and a bare `pg` baseline on a copy of the data set, one after the other's side, beside SQLite.
    if (pgUrl && wanted('pg')) {
      const started = Date.now();
      const copy = await pgDataset(pgUrl, data.cachedFile, data.key);
      console.log(`PostgreSQL data set ${copy.cached ? 'reused' : 'copied'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      const pgApp = await service('service-pg', await freePort(), logLevel, [], copy.url);
      const pgPort = await freePort();
      const pgBase = await startService(
        'baseline-pg',
        ['-r', 'ts-node/register/transpile-only', join(ROOT, 'bench/baseline/pg-server.ts')],
        {
          PATH: process.env.PATH,
          HOST: '127.0.0.1',
          PORT: String(pgPort),
          BENCH_PG_URL: copy.url,
          CONTENT_DIR: join(ROOT, 'content'),
          TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        },
        pgPort,
        join(workDir, 'baseline-pg.log'),
      );
      try {
        const paths = m.serials.map((s) => ({ path: `/api/v1/certificates/${s}` }));
        const [a, b] = await lookupLoad([pgApp.url, pgBase.url], paths, sizes);
        if (a.failures || b.failures)
          throw new Error(`PostgreSQL verification: ${a.failures} failed against the service, ${b.failures} against the baseline`);
        record({
          id: 'pg-verification',
          title: `Certificate verification on PostgreSQL (bare pg baseline)`,
          unit: 'req/s',
          measured: a.rps,
          baseline: b.rps,
          ratio: a.rps / b.rps,
          target: { op: '>=', value: 0.5 },
          details: { p50Ms: a.p50, p99Ms: a.p99, baselineP50Ms: b.p50, baselineP99Ms: b.p99, pgServiceRssPeakMb: pgApp.peakRssMb() },
        });
        await quizRow([pgApp.url, pgBase.url], {
          id: 'pg-quiz-sitting',
          title: `Quiz sitting on PostgreSQL (${sizes.quizWorkers} workers at once, bare pg baseline)`,
          label: 'PostgreSQL quiz',
          target: 0.5,
        });
      } finally {
        await pgApp.stop();
        await pgBase.stop();
      }
    }

    const baselineRss = base.peakRssMb();
    const peak = app.peakRssMb();
    for (const s of services.splice(0)) await s.stop();
    if (peak !== null)
      record({
        id: 'peak-rss',
        title: 'Peak RSS of the service during the whole run',
        unit: 'MB',
        measured: peak,
        baseline: null,
        ratio: peak / 300,
        target: { op: '<=', value: 1 },
        details: { limitMb: 300, baselinePeakRssMb: baselineRss },
      });

    printTable();
    if (cpuProf.length) console.log(`\nCPU profile of the service: ${profileDir}/ (open in Chrome DevTools or speedscope)`);
    const results = {
      generatedAt: new Date().toISOString(),
      mode: sizes.name,
      seed,
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, platform: process.platform },
      service: { command: 'npm start (node $npm_package_config_node_flags dist/main.js)', logLevel, host: '127.0.0.1' },
      dataset: m.counts,
      seconds: (Date.now() - started) / 1000,
      workloads,
    };
    writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
    console.log(
      `\n${workloads.filter((w) => w.pass).length}/${workloads.length} targets met; ${relative(process.cwd(), out)} written (${results.seconds.toFixed(0)} s).`,
    );
  } finally {
    for (const s of services) await s.stop().catch(() => undefined);
    killAll();
    if (process.env.BENCH_KEEP) console.log(`Kept ${workDir} (databases and logs)`);
    else rmSync(workDir, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
}

function printTable() {
  const rows = [
    ['workload', 'measured', 'baseline', 'ratio', 'target', 'result'],
    ...workloads.map((w) => [
      w.title,
      `${fmt(w.measured)} ${w.unit}`,
      w.baseline === null ? '—' : `${fmt(w.baseline)} ${w.unit}`,
      w.id === 'peak-rss' ? `${w.ratio.toFixed(2)} of limit` : w.ratio.toFixed(2),
      w.id === 'peak-rss' ? '≤ 300 MB' : `${w.target.op === '>=' ? '≥' : '≤'} ${w.target.value}${w.target.op === '<=' ? '×' : ''}`,
      w.pass ? 'pass' : 'FAIL',
    ]),
  ];
  const width = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  ');
  console.log(`\n${line(rows[0])}\n${width.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows.slice(1)) console.log(line(r));
  for (const w of workloads)
    if (typeof w.details.p99Ms === 'number')
      console.log(`  ${w.id}: p99 ${fmt(w.details.p99Ms)} ms (baseline ${fmt(w.details.baselineP99Ms as number)} ms)`);
  for (const w of workloads) {
    const d = w.details.atDefaultLogLevel as { rps: number; ratio: number; costPercent: number } | undefined;
    if (d)
      console.log(
        `  ${w.id} at LOG_LEVEL=info (the default): ${fmt(d.rps)} req/s, ratio ${d.ratio.toFixed(2)} (one log line per request costs ${d.costPercent.toFixed(0)}%)`,
      );
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
process.on('exit', killAll);

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  killAll();
  process.exit(1);
});
