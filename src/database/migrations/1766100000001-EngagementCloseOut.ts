import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col } from '../migration-helpers';

/**
 * Close-out of an engagement (issue 22, docs/data-protection.md): when the town
 * closed it out, the SHA-256 of the archive it received, when the personal
 * data only this engagement needed was erased; and `engagement_archives`, the
 * archive kept (encrypted) for a second download until the erasure.
 * `certificates.holder_identity_hash`: the holder's salted identity hash, kept
 * when their e-mail address is erased. Columns are added in place (see 1765700000000).
 */
export class EngagementCloseOut1766100000001 implements MigrationInterface {
  name = 'EngagementCloseOut1766100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE engagements ADD COLUMN closed_out_at varchar(24) NULL');
    await q.query('ALTER TABLE engagements ADD COLUMN close_out_sha256 varchar(64) NULL');
    await q.query('ALTER TABLE engagements ADD COLUMN erased_at varchar(24) NULL');
    await q.query('ALTER TABLE certificates ADD COLUMN holder_identity_hash varchar(80) NULL');
    await q.createTable(
      new Table({
        name: 'engagement_archives',
        columns: [{ ...col.id('engagement_id') }, col.longText('archive'), col.longText('signature'), col.instant('created_at')],
        foreignKeys: [
          { columnNames: ['engagement_id'], referencedTableName: 'engagements', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('engagement_archives');
    for (const c of ['closed_out_at', 'close_out_sha256', 'erased_at']) await q.query(`ALTER TABLE engagements DROP COLUMN ${c}`);
    await q.query('ALTER TABLE certificates DROP COLUMN holder_identity_hash');
  }
}
