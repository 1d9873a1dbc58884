/** The files of a module folder, in the sorted order the content hash uses. */
export const MODULE_FILES = ['lesson.en.md', 'lesson.ja.md', 'module.yaml', 'questions.yaml'] as const;
export type ModuleFile = (typeof MODULE_FILES)[number];

/** Field path used for problems with a whole file (missing, empty, unreadable). */
export const FILE = '(file)';

/** Every problem found in one run, as `<file>: <field>: <problem>` lines: one run lists them all. */
export class Problems {
  readonly list: string[] = [];
  add(file: string, field: string, problem: string): void {
    this.list.push(`${file}: ${field}: ${problem}`);
  }
  get count(): number {
    return this.list.length;
  }
}
