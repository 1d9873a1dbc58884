// `npm run sbom [-- --out <file>]`: the CycloneDX bill of materials of the production dependencies,
// written to dist/sbom.cdx.json by default, where the service reads it for the system page and the
// Article 11 report (Article 12: the town may inspect what runs). No network: npm reads package-lock.json
// and node_modules. Prints the file, its component count and its SHA-256.
//
// Deterministic: the same dependency set gives the same bytes, so the digest the service shows (and the
// Article 11 report states) identifies what ran. npm writes a random `serialNumber` and the current time as
// `metadata.timestamp`, and names the root component after the folder it runs in; here the serial number
// is a name-based UUID (RFC 9562 version 5) of the document's own content, the timestamp is left out
// (optional in CycloneDX 1.5), and the root component is named as package.json names it.
//
// Why not simply `npm sbom --omit dev`: npm 11.19 then leaves out production packages that are also
// peers of development tools (@nestjs/common and @nestjs/core, peers of @nestjs/testing, were missing).
// So the document is npm's full SBOM, kept to the packages `npm ls --omit=dev --all` resolves.
const { Buffer } = require('node:buffer');
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const root = join(__dirname, '..');
const at = process.argv.indexOf('--out');
const out = at > 0 ? resolve(process.argv[at + 1]) : join(root, 'dist', 'sbom.cdx.json');

// Under `npm run`, npm_execpath is npm's own CLI script: run it with this very node.
const npm = (...args) => {
  const [cmd, ...pre] = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  return execFileSync(cmd, [...pre, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
};

/** `name@version` of every installed package production code can reach. */
function productionPackages() {
  const tree = JSON.parse(npm('ls', '--omit=dev', '--all', '--json'));
  const found = new Set();
  const walk = (node) => {
    for (const [name, dep] of Object.entries(node.dependencies ?? {})) {
      if (!dep.version || found.has(`${name}@${dep.version}`)) continue; // a missing optional peer has no version
      found.add(`${name}@${dep.version}`);
      walk(dep);
    }
  };
  walk(tree);
  return found;
}

const doc = JSON.parse(npm('sbom', '--sbom-format', 'cyclonedx', '--sbom-type', 'application'));
const production = productionPackages();
doc.components = doc.components.filter((c) => production.has(`${c.group ? `${c.group}/` : ''}${c.name}@${c.version}`));
const kept = new Set([doc.metadata.component['bom-ref'], ...doc.components.map((c) => c['bom-ref'])]);
doc.dependencies = (doc.dependencies ?? [])
  .filter((d) => kept.has(d.ref))
  .map((d) => ({ ...d, dependsOn: (d.dependsOn ?? []).filter((r) => kept.has(r)) }));

delete doc.metadata.timestamp;
doc.metadata.component.name = require(join(root, 'package.json')).name;
doc.serialNumber = `urn:uuid:${contentUuid(doc)}`;

const json = JSON.stringify(doc, null, 2) + '\n';
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, json);
const digest = createHash('sha256').update(json).digest('hex');
console.log(`${out}: ${doc.bomFormat} ${doc.specVersion}, ${doc.components.length} components, sha256 ${digest}`);

/**
 * A UUID that depends only on the document's content (without its serial number): RFC 9562 version 5,
 * SHA-1 of the URL namespace and `urn:article4-lms:sbom:sha256:<hex of the content>`.
 */
function contentUuid(document) {
  const content = { ...document };
  delete content.serialNumber;
  const name = `urn:article4-lms:sbom:sha256:${createHash('sha256').update(JSON.stringify(content)).digest('hex')}`;
  const URL_NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');
  const b = createHash('sha1').update(URL_NAMESPACE).update(name).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50; // version 5
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
