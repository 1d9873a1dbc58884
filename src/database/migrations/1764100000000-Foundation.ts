import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col, fk } from '../migration-helpers';

export class Foundation1764100000000 implements MigrationInterface {
  name = 'Foundation1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'municipalities',
        columns: [col.id(), col.text('name', 200), col.text('code', 6), col.instant('created_at')],
        uniques: [{ columnNames: ['code'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'organizations',
        columns: [col.id(), col.text('name', 200), col.text('corporate_number', 13, true), col.instant('created_at')],
        uniques: [{ columnNames: ['corporate_number'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          col.id(),
          col.text('email', 254),
          col.text('display_name', 200),
          col.text('role', 20),
          col.text('password_hash', 200),
          col.ref('municipality_id', true),
          col.ref('organization_id', true),
          col.ref('worker_id', true),
          col.int('failed_logins', false, 0),
          col.instant('failed_login_window_start', true),
          col.instant('locked_until', true),
          col.instant('created_at'),
        ],
        uniques: [{ columnNames: ['email'] }],
        foreignKeys: [fk(['municipality_id'], 'municipalities'), fk(['organization_id'], 'organizations')],
        indices: [{ columnNames: ['organization_id'] }, { columnNames: ['municipality_id'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('users');
    await q.dropTable('organizations');
    await q.dropTable('municipalities');
  }
}
