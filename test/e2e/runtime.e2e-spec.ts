import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { SetupService } from '../../src/setup/setup.service';
import { SBOM_PATH } from '../../src/system/system.service';
import { createTestApp, TestApp } from '../utils/create-app';
import { client } from '../utils/http';
import { pageClient } from '../utils/page-client';
import { ADMIN } from '../factories/world';

const root = join(__dirname, '..', '..');

describe('the runtime and what runs (issue 21, Articles 9-2 and 12)', () => {
  it('npm run sbom writes a CycloneDX document naming every production dependency at its installed version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'a4lms-sbom-'));
    try {
      const out = join(dir, 'sbom.json');
      execFileSync(process.execPath, ['scripts/sbom.js', '--out', out], { cwd: root, stdio: 'pipe' });
      const doc = JSON.parse(readFileSync(out, 'utf8'));
      expect(doc.bomFormat).toBe('CycloneDX');
      const versions = new Map<string, string>(doc.components.map((c: any) => [c.group ? `${c.group}/${c.name}` : c.name, c.version]));
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      for (const name of Object.keys(pkg.dependencies)) {
        const installed = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
        expect([name, versions.get(name)]).toEqual([name, installed]);
      }
      expect(versions.get('better-sqlite3')).toMatch(/^\d+\.\d+\.\d+$/);
      // Development tools are not part of what runs.
      expect(versions.has('jest')).toBe(false);

      // Deterministic: a second run writes the same bytes, so the digest identifies the dependency set.
      const again = join(dir, 'again.json');
      execFileSync(process.execPath, ['scripts/sbom.js', '--out', again], { cwd: root, stdio: 'pipe' });
      expect(readFileSync(again).equals(readFileSync(out))).toBe(true);
      expect(doc.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(doc.metadata.timestamp).toBeUndefined();
      // Named as package.json names it, not after the folder it was run in.
      expect(doc.metadata.component).toMatchObject({ name: 'article4-lms', version: pkg.version });
      expect(readFileSync(out, 'utf8')).not.toContain(root);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns in the log at start when the running Node.js is past its end of life', async () => {
    execFileSync(process.execPath, ['scripts/build-if-needed.js'], { cwd: root, stdio: 'pipe' });
    const dataDir = mkdtempSync(join(tmpdir(), 'a4lms-eol-'));
    const child = spawn(process.execPath, ['-r', join(root, 'test/fixtures/fake-node-20.js'), 'dist/main.js'], {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: `sqlite:${join(dataDir, 'a.sqlite')}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no warning within 60 s:\n${out}`)), 60_000);
        const seen = (b: Buffer) => {
          out += b.toString();
          if (/listening on/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', seen);
        child.stderr.on('data', seen);
        child.on('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
      });
      expect(out).toMatch(/Node\.js 20\.20\.2 reached its end of life on 2026-04-30/);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  describe('GET /api/v1/system', () => {
    let t: TestApp;
    beforeAll(async () => {
      // What `npm run build` does after compiling: the bill of materials the service shows.
      execFileSync(process.execPath, ['scripts/sbom.js'], { cwd: root, stdio: 'pipe' });
      t = await createTestApp();
      await t.app.get(SetupService).ensureAdmin(() => undefined);
    });
    afterAll(() => t.close());

    it('tells the admin the service version, the runtime with its end of life, and the SBOM digest', async () => {
      const http = client(t.app);
      const admin = (await http.post('/api/v1/auth/login', ADMIN)).body.token;
      const r = await http.get('/api/v1/system', admin);
      expect(r.status).toBe(200);
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      expect(r.body.service).toEqual({ name: 'article4-lms', version: pkg.version });
      expect(r.body.runtime).toMatchObject({ version: process.versions.node, major: 24, endOfLife: '2028-04-30', support: 'supported' });
      const written = readFileSync(SBOM_PATH);
      expect(r.body.sbom).toMatchObject({ format: 'CycloneDX 1.5', digest: createHash('sha256').update(written).digest('hex') });
      const doc = await http.get('/api/v1/system/sbom', admin);
      expect(doc.headers['content-type']).toContain('application/vnd.cyclonedx+json');
      expect(doc.text).toBe(written.toString('utf8'));
      expect((await http.get('/api/v1/system')).status).toBe(401);
    });

    it('shows the same facts on the admin page, in both languages, with the SBOM to download', async () => {
      const page = pageClient(t.app);
      expect((await page.submit('/', '/login', ADMIN)).status).toBe(303);
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      const digest = createHash('sha256').update(readFileSync(SBOM_PATH)).digest('hex');
      const ja = await page.get('/admin');
      expect(ja.status).toBe(200);
      for (const fact of [
        `article4-lms ${pkg.version}`,
        `Node.js ${process.versions.node}`,
        '2028-04-30',
        'サポート期間内',
        t.config.databaseKind === 'sqlite' ? 'SQLite' : 'PostgreSQL',
        digest,
        'href="/api/v1/system/sbom"',
        'SBOM をダウンロード',
      ])
        expect([fact, ja.text.includes(fact)]).toEqual([fact, true]);
      await page.get('/lang/en?next=/admin');
      const en = await page.get('/admin');
      for (const fact of ['Node.js end of life', '2028-04-30', '>supported<', 'Download the SBOM', digest])
        expect([fact, en.text.includes(fact)]).toEqual([fact, true]);
      // The link works for the admin signed in by cookie: a read of the API.
      const sbom = await page.get('/api/v1/system/sbom');
      expect([sbom.status, createHash('sha256').update(sbom.text).digest('hex')]).toEqual([200, digest]);
      // Anyone else: no page.
      expect((await pageClient(t.app).get('/admin')).status).not.toBe(200);
    });

    it('keeps /readyz (public) free of any version', async () => {
      const r = await client(t.app).get('/readyz');
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ status: 'ready' });
      const everything = JSON.stringify(r.headers) + r.text;
      expect(everything).not.toContain(process.versions.node);
      expect(everything).not.toMatch(/node|article4-lms|sqlite|cyclonedx/i);
    });
  });
});

describe('npm run audit (Article 10-1)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { evaluate } = require('../../scripts/audit.js') as {
    evaluate: (prod: object, all: object | null, exceptions: object[], today: string) => { status: string; lines: string[] };
  };
  const advisory = (pkg: string, severity: string, ghsa: string) => ({
    [pkg]: {
      name: pkg,
      severity,
      via: [{ source: 1, name: pkg, title: `${pkg} flaw`, url: `https://github.com/advisories/${ghsa}`, severity }],
    },
  });
  const report = (vulnerabilities: object) => ({ auditReportVersion: 2, vulnerabilities, metadata: {} });
  const excuse = {
    advisory: 'GHSA-aaaa-bbbb-cccc',
    package: 'qs',
    reason: 'only reached by the dev server',
    decidedOn: '2026-11-30',
    reviewBy: '2027-02-28',
  };

  it('fails on a high advisory in a production dependency', () => {
    const r = evaluate(report(advisory('qs', 'high', 'GHSA-aaaa-bbbb-cccc')), null, [], '2026-11-30');
    expect(r.status).toBe('fail');
    expect(r.lines[0]).toBe('FAIL high GHSA-aaaa-bbbb-cccc in qs: qs flaw');
  });

  it('passes a dated, reasoned exception until its review date, then fails again', () => {
    const prod = report(advisory('qs', 'critical', 'GHSA-aaaa-bbbb-cccc'));
    expect(evaluate(prod, null, [excuse], '2026-11-30').status).toBe('pass');
    expect(evaluate(prod, null, [excuse], '2027-03-01').status).toBe('fail');
  });

  it('reports development-only advisories without failing, and moderate ones as notes', () => {
    const all = report({
      ...advisory('jest-thing', 'critical', 'GHSA-dddd-eeee-ffff'),
      ...advisory('ms', 'moderate', 'GHSA-1111-2222-3333'),
    });
    const r = evaluate(report(advisory('ms', 'moderate', 'GHSA-1111-2222-3333')), all, [], '2026-11-30');
    expect(r.status).toBe('pass');
    expect(r.lines).toContain('dev critical GHSA-dddd-eeee-ffff in jest-thing: jest-thing flaw (development only; not failing)');
    expect(r.lines).toContain('note moderate GHSA-1111-2222-3333 in ms: ms flaw');
  });

  it('says plainly that nothing was checked when the endpoint answers 405, without failing', () => {
    const r = evaluate(
      { message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk' },
      null,
      [],
      '2026-11-30',
    );
    expect(r.status).toBe('unreachable');
    expect(r.lines[0]).toMatch(/could not be reached \(405 Method Not Allowed.*NOT checked/);
  });
});
