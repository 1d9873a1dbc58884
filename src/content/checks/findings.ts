/*
 * The common shape of what the content quality checks report, so the CLI can
 * group, count and print them the same way.
 */

/** Which check found it. */
export type CheckName = 'cues' | 'duplicates' | 'articles' | 'facts' | 'glossary';

export interface Finding {
  readonly check: CheckName;
  /** The module it is about; undefined for findings about the shared files (facts.yaml, glossary.yaml). */
  readonly moduleId?: string;
  /** Path relative to the content directory, e.g. `modules/basics/questions.yaml` or `facts.yaml`. */
  readonly file: string;
  /** Where in the file: `line 12`, `q03`, `q03.choices.b (en)`, … */
  readonly where: string;
  readonly message: string;
  /** A short excerpt of the text concerned, when there is one. */
  readonly excerpt?: string;
  /**
   * `fail`: fails `content:check` (unless --report). `always`: fails even with
   * --report (the new shared files and references into them). `advice`: printed,
   * never fails.
   */
  readonly severity: 'fail' | 'always' | 'advice';
}
