import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ERROR_STATUS } from '../../src/common/errors/error-codes';
import { createTestApp, TestApp } from '../utils/create-app';

/*
 * docs/api.md is the HTTP contract in the repository: its route tables must
 * name exactly the routes the application serves (its OpenAPI document), and
 * its error code table exactly the codes (and statuses) of error-codes.ts.
 * The README and docs name no file outside the repository.
 */
const ROOT = resolve(__dirname, '..', '..');
const API_MD = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');

/** `GET /api/v1/engagements/:id` from every route row of docs/api.md's tables. */
function documentedRoutes(): string[] {
  return [...API_MD.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`\s]*)` \|/gm)].map((m) => `${m[1]} ${m[2]}`);
}

describe('docs/api.md, the HTTP contract', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('names every route the application serves, and no other', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/docs-json' });
    expect(r.statusCode).toBe(200);
    const paths = (JSON.parse(r.body) as { paths: Record<string, Record<string, unknown>> }).paths;
    const served = Object.entries(paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const documented = documentedRoutes();
    expect(served.length).toBeGreaterThan(40);
    expect(served.filter((s) => !documented.includes(s))).toEqual([]);
    expect(documented.filter((d) => !served.includes(d))).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('lists every error code with its status', () => {
    const documented = Object.fromEntries(
      [...API_MD.matchAll(/^\| `([a-z0-9_]+\.[a-z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])] as const),
    );
    expect(documented).toEqual(ERROR_STATUS);
  });
});

describe('the README and docs', () => {
  it('name no file outside the repository', () => {
    const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => join('docs', f))].filter((f) => f.endsWith('.md'));
    const outside: string[] = [];
    for (const page of pages) {
      const text = readFileSync(join(ROOT, page), 'utf8');
      for (const m of text.matchAll(/\]\(([^)#\s]+)[^)]*\)|`(\.\.\/[^`]+)`/g)) {
        const target = m[1] ?? m[2];
        if (/^[a-z]+:/i.test(target)) continue; // a URL
        const where = relative(ROOT, resolve(ROOT, page, '..', target));
        if (where.startsWith('..')) outside.push(`${page}: ${target}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
