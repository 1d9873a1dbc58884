import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/*
 * The layers of docs/architecture.md, checked on every import of src/:
 * web/ (pages) and the API controllers over the services, the services over
 * access/, common/ and database/; only web/ speaks words.
 */
const SRC = __dirname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.spec.ts') ? [p] : [];
  });
}

/** Every relative import of every source file, as paths from src/ (`web/i18n`, `common/errors/domain-error`). */
const IMPORTS = files(SRC).map((file) => ({
  file: relative(SRC, file),
  imports: [...readFileSync(file, 'utf8').matchAll(/^import[^;]*? from '([^']+)';/gms)].map((m) =>
    m[1].startsWith('.') ? relative(SRC, resolve(dirname(file), m[1])) : m[1],
  ),
}));

describe('the layers', () => {
  it('no service, entity or helper imports web/: only the wiring and an API representation written in words', () => {
    // The API's CSV answers are the pages' downloads, one document each: progress (reports) and the item analysis.
    const allowed = new Set([
      'app.module.ts',
      'app.setup.ts',
      'reports/reports.controller.ts',
      'item-analysis/item-analysis.controller.ts',
    ]);
    const offenders = IMPORTS.filter(
      (f) => !f.file.startsWith('web/') && !allowed.has(f.file) && f.imports.some((i) => i.startsWith('web/')),
    );
    expect(offenders.map((f) => f.file)).toEqual([]);
  });

  it('pages read no repository: web/ imports neither TypeORM nor an entity class (types aside)', () => {
    const offenders = IMPORTS.filter((f) => f.file.startsWith('web/') && f.imports.some((i) => i === 'typeorm' || i === '@nestjs/typeorm'));
    expect(offenders.map((f) => f.file)).toEqual([]);
    for (const f of files(join(SRC, 'web')))
      for (const m of readFileSync(f, 'utf8').matchAll(/^import (?!type )[^;]*? from '[^']+\.entity';/gms))
        expect([f, m[0]]).toEqual([f, '']);
  });

  it('every page controller lives in web/', () => {
    const pages = files(SRC).filter((f) => /@ApiExcludeController\(\)/.test(readFileSync(f, 'utf8')));
    expect(pages.map((f) => relative(SRC, f)).filter((f) => !f.startsWith('web/'))).toEqual([]);
    expect(pages.length).toBeGreaterThanOrEqual(9);
  });

  it('common/, access/ and database/ import no service and nothing of web/', () => {
    const below = IMPORTS.filter((f) => /^(common|access|database)\//.test(f.file) && !f.file.startsWith('database/migrations/'));
    const offenders = below.filter((f) =>
      f.imports.some((i) => i.startsWith('web/') || (/\.service$/.test(i) && !/^(common|access|database)\//.test(i))),
    );
    expect(offenders.map((f) => f.file)).toEqual([]);
  });
});
