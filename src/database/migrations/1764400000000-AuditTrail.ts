import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col } from '../migration-helpers';

/**
 * The audit trail. No foreign keys on purpose: the trail names users,
 * engagements and certificates by id and must outlive them, never block
 * their deletion nor be cascaded away with them (a deleted row breaks the chain).
 */
export class AuditTrail1764400000000 implements MigrationInterface {
  name = 'AuditTrail1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          col.id(),
          col.int('seq'),
          col.instant('occurred_at'),
          col.ref('actor_id', true),
          col.text('actor_role', 20),
          col.text('action', 64),
          col.text('target_type', 40),
          col.text('target_id', 64, true),
          col.ref('engagement_id', true),
          col.longText('details'),
          col.text('prev_hash', 64),
          col.text('hash', 64),
        ],
        uniques: [{ columnNames: ['seq'] }],
        indices: [{ columnNames: ['engagement_id', 'seq'] }, { columnNames: ['actor_id'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('audit_events');
  }
}
