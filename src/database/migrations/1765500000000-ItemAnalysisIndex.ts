import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The item analysis (docs/item-analysis.md) streams the graded sittings of
 * one module at one revision. Without this index that read scans every
 * attempt of every module. (The role `content_author` needs no schema
 * change: `users.role` is a varchar(20) that no constraint restricts.)
 */
export class ItemAnalysisIndex1765500000000 implements MigrationInterface {
  name = 'ItemAnalysisIndex1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'attempts',
      new TableIndex({ name: 'IDX_attempts_module_revision', columnNames: ['module_id', 'revision', 'submitted_at'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('attempts', 'IDX_attempts_module_revision');
  }
}
