import { join } from 'node:path';
import { LoadedContent, TrainingModule } from './content.types';
import { compareModuleIds } from './curriculum';
import { buildModule, deepFreeze } from './loader/build';
import { articleOf, ARTICLE_COUNT } from './loader/provisions';
import { FILE, ModuleFile, Problems } from './loader/problems';
import { isDirectory, moduleFolders, readDeclaredId, readModuleFiles } from './loader/read';
import { validateModule } from './loader/validate';

/*
 * Loads and validates content/modules/<id>/. Pure functions, no Nest: the
 * service and the `content:check` script share them. Every problem is
 * collected before anything is thrown, so one run lists them all. One job per
 * file in loader/: read the files (read.ts), validate them (validate.ts,
 * provisions.ts), build the module (build.ts), hash it (hash.ts).
 */

export { renderMarkdown } from './loader/build';
export { contentHash, normalizeText } from './loader/hash';

/** Invalid content; `problems` holds one `<file>: <field>: <problem>` line each. */
export class ContentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid training content (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p}`).join('\n'),
    );
    this.name = 'ContentError';
  }
}

/**
 * Reads and validates every `<dir>/modules/<id>/` folder. Returns the modules
 * in curriculum order, deeply frozen, or throws a ContentError listing every
 * problem found.
 */
export function loadContent(dir: string): LoadedContent {
  const problems = new Problems();
  const modulesDir = join(dir, 'modules');
  if (!isDirectory(modulesDir)) throw new ContentError([`modules: ${FILE}: no such directory (${modulesDir})`]);

  const folders = moduleFolders(modulesDir);
  if (!folders.length) problems.add('modules', FILE, 'no module folders');

  const modules: TrainingModule[] = [];
  const seen = new Map<string, string>();
  for (const folder of folders) {
    const module = loadModule(join(modulesDir, folder), folder, problems);
    const id = module?.id ?? readDeclaredId(join(modulesDir, folder));
    if (id !== undefined) {
      const other = seen.get(id);
      if (other !== undefined)
        problems.add(`modules/${folder}/module.yaml`, 'id', `duplicate module id "${id}" (also in modules/${other}/module.yaml)`);
      else seen.set(id, folder);
    }
    if (module) modules.push(module);
  }

  if (problems.count) throw new ContentError(problems.list);
  modules.sort((a, b) => compareModuleIds(a.id, b.id));
  return deepFreeze({ modules });
}

/** One module folder: read, validated, built; undefined (and problems) when anything is wrong. */
function loadModule(path: string, folder: string, problems: Problems): TrainingModule | undefined {
  const rel = `modules/${folder}`;
  const before = problems.count;
  const texts = readModuleFiles(path, rel, problems);
  const valid = validateModule(texts, rel, folder, problems);
  if (problems.count > before || !valid) return undefined;
  return buildModule(valid.manifest, valid.bank, texts as Record<ModuleFile, string>);
}

// ---------------------------------------------------------------------------
// Coverage
// ---------------------------------------------------------------------------

export interface ArticleCoverage {
  article: number;
  /** Modules listing the article or one of its paragraphs in `articles`. */
  taughtBy: string[];
  /** Modules with at least one question on the article or one of its paragraphs. */
  askedBy: string[];
  /** Questions on the article or its paragraphs, across all modules. */
  questions: number;
}

/** Which of articles 1–16 are taught and asked ("3-2" counts as article 3). */
export function coverage(modules: readonly TrainingModule[]): ArticleCoverage[] {
  return Array.from({ length: ARTICLE_COUNT }, (_, i) => {
    const article = i + 1;
    const taughtBy = modules.filter((m) => m.articles.some((a) => articleOf(a) === article)).map((m) => m.id);
    const asked = modules.map((m) => ({
      id: m.id,
      n: m.questions.filter((q) => articleOf(q.article) === article).length,
    }));
    return {
      article,
      taughtBy,
      askedBy: asked.filter((a) => a.n > 0).map((a) => a.id),
      questions: asked.reduce((sum, a) => sum + a.n, 0),
    };
  });
}
