// `npm run test:browser`: the real-browser suite (test/browser) when Chromium is
// installed; otherwise a clear notice and success, so `npm test` still passes on a
// machine without it. CI (.ci/run) installs Debian's chromium, so there it always runs.
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.log(
    `SKIPPED: browser suite (test/browser) — Chromium not found at ${chromium}. Install Debian's "chromium" package or set CHROMIUM_PATH.`,
  );
  process.exit(0);
}
const jest = join(__dirname, '..', 'node_modules', 'jest', 'bin', 'jest.js');
const args = [
  '--experimental-vm-modules',
  '--disable-warning=ExperimentalWarning',
  jest,
  '--config',
  'jest.config.js',
  '--selectProjects',
  'browser',
  '--runInBand',
  ...process.argv.slice(2),
];
const run = spawnSync(process.execPath, args, { cwd: join(__dirname, '..'), stdio: 'inherit' });
process.exit(run.status ?? 1);
