// `npm run audit`: known vulnerabilities (Article 10-1: collect information on security holes and act on it).
// Fails (exit 1) on any high or critical advisory in a production dependency that audit-exceptions.json
// does not excuse, and on an excuse past its reviewBy date; prints the same report for development
// dependencies without failing. When the registry's advisory endpoint cannot be reached (some mirrors
// answer 405 Method Not Allowed), it says so plainly and exits 0: nothing was checked, and the README
// says how to run it where the endpoint answers.
//
//   node scripts/audit.js                         runs npm audit (production, then everything)
//   node scripts/audit.js --reports prod.json all.json [--today YYYY-MM-DD]   evaluates saved `npm audit --json` output
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const FAILING = new Set(['high', 'critical']);

/** `npm audit --json` output (npm ≥ 7) → [{package, severity, advisory (GHSA or URL), title}], one per advisory. */
function findings(report) {
  const out = [];
  for (const [pkg, v] of Object.entries(report.vulnerabilities ?? {})) {
    for (const via of v.via ?? []) {
      if (typeof via !== 'object') continue; // a name: the advisory is listed under that package
      const advisory = (via.url ?? '').match(/GHSA-[\w-]+/)?.[0] ?? via.url ?? String(via.source);
      out.push({ package: pkg, severity: via.severity ?? v.severity, advisory, title: via.title ?? '' });
    }
  }
  return out;
}

/** The reason npm gave for not auditing, or null when the report is a real audit. */
function unreachable(report) {
  if (report.vulnerabilities) return null;
  return report.message ?? report.error?.summary ?? 'no audit report';
}

/**
 * Judges a production and a full report against the exceptions.
 * @returns {{ status: 'unreachable'|'pass'|'fail', lines: string[] }}
 */
function evaluate(prodReport, allReport, exceptions, today) {
  const reason = unreachable(prodReport);
  if (reason)
    return {
      status: 'unreachable',
      lines: [`npm audit: the registry's advisory endpoint could not be reached (${reason}). Production dependencies were NOT checked.`],
    };
  const lines = [];
  let failed = false;
  const excused = new Map(exceptions.map((e) => [e.advisory, e]));
  for (const e of exceptions)
    if (e.reviewBy < today) {
      failed = true;
      lines.push(`FAIL exception for ${e.advisory} (${e.package}) was due for review on ${e.reviewBy}`);
    }
  const prod = findings(prodReport);
  for (const f of prod) {
    const e = excused.get(f.advisory);
    if (!FAILING.has(f.severity)) lines.push(`note ${f.severity} ${f.advisory} in ${f.package}: ${f.title}`);
    else if (e)
      lines.push(`excused ${f.severity} ${f.advisory} in ${f.package}: ${e.reason} (decided ${e.decidedOn}, review by ${e.reviewBy})`);
    else {
      failed = true;
      lines.push(`FAIL ${f.severity} ${f.advisory} in ${f.package}: ${f.title}`);
    }
  }
  const inProd = new Set(prod.map((f) => `${f.package} ${f.advisory}`));
  const dev = allReport && !unreachable(allReport) ? findings(allReport).filter((f) => !inProd.has(`${f.package} ${f.advisory}`)) : [];
  for (const f of dev) lines.push(`dev ${f.severity} ${f.advisory} in ${f.package}: ${f.title} (development only; not failing)`);
  lines.push(`npm audit: ${prod.length} advisories in production dependencies, ${dev.length} in development ones.`);
  return { status: failed ? 'fail' : 'pass', lines };
}

function npmAudit(args) {
  const [cmd, ...pre] = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  try {
    return JSON.parse(
      execFileSync(cmd, [...pre, 'audit', '--json', ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    );
  } catch (e) {
    // npm audit exits non-zero when it finds something, and when it cannot ask: the JSON tells which.
    try {
      return JSON.parse(e.stdout);
    } catch {
      return { message: String(e.message).split('\n')[0] };
    }
  }
}

function main(argv) {
  const today = argv.includes('--today')
    ? argv[argv.indexOf('--today') + 1]
    : new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
  const exceptions = JSON.parse(readFileSync(join(root, 'audit-exceptions.json'), 'utf8')).exceptions;
  const at = argv.indexOf('--reports');
  const [prod, all] =
    at >= 0
      ? [JSON.parse(readFileSync(argv[at + 1], 'utf8')), JSON.parse(readFileSync(argv[at + 2], 'utf8'))]
      : [npmAudit(['--omit=dev']), npmAudit([])];
  const { status, lines } = evaluate(prod, all, exceptions, today);
  for (const l of lines) console.log(l);
  return status === 'fail' ? 1 : 0;
}

module.exports = { evaluate, findings };
if (require.main === module) process.exitCode = main(process.argv.slice(2));
