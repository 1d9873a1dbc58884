import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * フリガナ on workers (issue 20, item 9): optional, stored as normalised
 * full-width katakana (common/input normalizeFurigana), the key worker lists
 * sort on (五十音順, WorkersService). Personal data like the name: read only by
 * the workers service. Added with ALTER TABLE … ADD COLUMN, in place on both
 * databases (TypeORM's addColumn would rebuild the SQLite table).
 */
export class WorkerFurigana1766200000000 implements MigrationInterface {
  name = 'WorkerFurigana1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE workers ADD COLUMN furigana varchar(200) NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE workers DROP COLUMN furigana');
  }
}
