import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The item analysis (docs/item-analysis.md) streams the graded sittings of
 * one module at one revision, by default each worker's first only.
 *
 * - `IDX_attempts_item_analysis` finds those sittings and holds what the
 *   "first sitting" test needs of each (worker, start, id), so a sitting
 *   that is not its worker's first is skipped without reading its row (a
 *   row carries the whole drawn sitting, several kilobytes, and on SQLite
 *   the columns after it cost a walk through its overflow pages).
 * - `IDX_attempts_first_sitting` answers "has this worker an earlier graded
 *   sitting at this revision?" from the index alone.
 *
 * The role `content_author` needs no schema change: `users.role` is a
 * varchar(20) that no constraint restricts.
 */
export class ItemAnalysisIndex1765500000000 implements MigrationInterface {
  name = 'ItemAnalysisIndex1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'attempts',
      new TableIndex({
        name: 'IDX_attempts_item_analysis',
        columnNames: ['module_id', 'revision', 'submitted_at', 'worker_id', 'started_at', 'id'],
      }),
    );
    await q.createIndex(
      'attempts',
      new TableIndex({
        name: 'IDX_attempts_first_sitting',
        columnNames: ['worker_id', 'module_id', 'revision', 'started_at', 'id', 'submitted_at'],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('attempts', 'IDX_attempts_first_sitting');
    await q.dropIndex('attempts', 'IDX_attempts_item_analysis');
  }
}
