// `npm start` from a fresh clone: compile once, and again whenever a source file is newer than the build;
// write the bill of materials once, and again whenever the lock file is newer.
const { execSync } = require('node:child_process');
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const out = join(root, 'dist', 'main.js');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

if (!existsSync(out) || newest(join(root, 'src')) > statSync(out).mtimeMs) {
  console.log('Building…');
  execSync('npx tsc -p tsconfig.build.json', { cwd: root, stdio: 'inherit' });
}
// The bill of materials the service shows (Article 12), again whenever the lock file changed.
const sbom = join(root, 'dist', 'sbom.cdx.json');
if (!existsSync(sbom) || statSync(join(root, 'package-lock.json')).mtimeMs > statSync(sbom).mtimeMs) {
  try {
    execSync(`"${process.execPath}" scripts/sbom.js`, { cwd: root, stdio: 'inherit' });
  } catch {
    console.warn('Could not write the bill of materials (npm run sbom); the service runs without it.');
  }
}
