import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { Lang, LANGS } from '../content.types';
import { FILE, MODULE_FILES, ModuleFile, Problems } from './problems';

/** The texts of a module folder's files, by name; a missing or unreadable file is absent (and a problem). */
export type ModuleTexts = Partial<Record<ModuleFile, string>>;

/**
 * Reads a module folder: its four files as UTF-8 text (a BOM dropped), each
 * missing, unreadable, non-UTF-8 or unexpected file, and an empty lesson,
 * reported as a problem.
 */
export function readModuleFiles(path: string, rel: string, problems: Problems): ModuleTexts {
  for (const name of readdirSync(path).sort()) {
    if (name.startsWith('.') || (MODULE_FILES as readonly string[]).includes(name)) continue;
    problems.add(`${rel}/${name}`, FILE, `unexpected file; a module folder holds only ${MODULE_FILES.join(', ')}`);
  }

  // Read every file, collecting missing/unreadable ones.
  const texts: Partial<Record<ModuleFile, string>> = {};
  for (const name of MODULE_FILES) {
    const file = join(path, name);
    if (!existsSync(file)) {
      const lang = lessonLang(name);
      problems.add(`${rel}/${name}`, FILE, lang ? `missing (the ${lang} lesson is required)` : 'missing');
      continue;
    }
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file)).replace(/^\uFEFF/, '');
      texts[name] = text;
    } catch (err) {
      problems.add(`${rel}/${name}`, FILE, err instanceof TypeError ? 'not valid UTF-8' : `unreadable: ${(err as Error).message}`);
    }
  }

  for (const lang of LANGS) {
    const name = `lesson.${lang}.md` as const;
    if (texts[name] !== undefined && !texts[name].trim())
      problems.add(`${rel}/${name}`, FILE, `empty (missing ${lang} translation of the lesson)`);
  }
  return texts;
}

function lessonLang(name: string): Lang | undefined {
  return LANGS.find((lang) => name === `lesson.${lang}.md`);
}

/** The id a module.yaml declares, if it parses; used for the duplicate check when the module has other problems. */
export function readDeclaredId(folder: string): string | undefined {
  try {
    const id = (parseDocument(readFileSync(join(folder, 'module.yaml'), 'utf8')).toJS() as { id?: unknown })?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The module folders under `modulesDir`, sorted (dot folders and files left out). */
export function moduleFolders(modulesDir: string): string[] {
  return readdirSync(modulesDir)
    .filter((name) => !name.startsWith('.') && isDirectory(join(modulesDir, name)))
    .sort();
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
