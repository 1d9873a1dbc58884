import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey } from 'typeorm';
import { col, fk } from '../migration-helpers';

export class AccountsAndEngagements1764200000000 implements MigrationInterface {
  name = 'AccountsAndEngagements1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('organizations', [
      new TableColumn(col.ref('created_by_organization_id', true)),
      new TableColumn(col.ref('created_by_municipality_id', true)),
    ]);
    await q.createTable(
      new Table({
        name: 'sessions',
        columns: [
          col.id(),
          col.ref('user_id'),
          col.text('token_hash', 64),
          col.instant('created_at'),
          col.instant('expires_at'),
          col.instant('revoked_at', true),
        ],
        uniques: [{ columnNames: ['token_hash'] }],
        foreignKeys: [fk(['user_id'], 'users', 'CASCADE')],
        indices: [{ columnNames: ['user_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'engagements',
        columns: [
          col.id(),
          col.ref('municipality_id'),
          col.text('title', 300),
          col.text('contract_number', 100),
          col.ref('prime_organization_id'),
          col.date('starts_on'),
          col.date('ends_on'),
          col.bool('handles_personal_info'),
          col.bool('handles_my_number'),
          col.bool('uses_cloud_storage'),
          col.longText('extra_module_ids'),
          col.longText('curriculum'),
          col.int('pass_mark', true),
          col.int('certificate_validity_days', false, 365),
          col.instant('created_at'),
        ],
        uniques: [{ columnNames: ['municipality_id', 'contract_number'] }],
        foreignKeys: [fk(['municipality_id'], 'municipalities'), fk(['prime_organization_id'], 'organizations')],
        indices: [{ columnNames: ['prime_organization_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'subcontract_links',
        columns: [
          col.id(),
          col.ref('engagement_id'),
          col.ref('organization_id'),
          col.ref('parent_organization_id'),
          col.int('tier'),
          col.text('status', 20),
          col.date('decided_on', true),
          col.text('reference', 200, true),
          col.ref('decided_by', true),
          col.instant('created_at'),
        ],
        uniques: [{ columnNames: ['engagement_id', 'organization_id'] }],
        foreignKeys: [
          fk(['engagement_id'], 'engagements', 'CASCADE'),
          fk(['organization_id'], 'organizations'),
          fk(['parent_organization_id'], 'organizations'),
          fk(['decided_by'], 'users'),
        ],
        indices: [{ columnNames: ['organization_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'workers',
        columns: [
          col.id(),
          col.ref('organization_id'),
          col.text('name', 200),
          col.text('email', 254),
          col.text('employee_number', 50, true),
          col.text('enrollment_code_hash', 64, true),
          col.instant('enrollment_code_expires_at', true),
          col.instant('enrolled_at', true),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        uniques: [{ columnNames: ['organization_id', 'email'] }, { columnNames: ['enrollment_code_hash'] }],
        foreignKeys: [fk(['organization_id'], 'organizations')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'assignments',
        columns: [
          { ...col.ref('engagement_id'), isPrimary: true },
          { ...col.ref('worker_id'), isPrimary: true },
          col.ref('assigned_by'),
          col.instant('assigned_at'),
        ],
        foreignKeys: [
          fk(['engagement_id'], 'engagements', 'CASCADE'),
          fk(['worker_id'], 'workers', 'CASCADE'),
          fk(['assigned_by'], 'users'),
        ],
        indices: [{ columnNames: ['worker_id'] }],
      }),
    );
    await q.createForeignKey('users', new TableForeignKey(fk(['worker_id'], 'workers')));
  }

  async down(q: QueryRunner): Promise<void> {
    const users = await q.getTable('users');
    const workerFk = users?.foreignKeys.find((f) => f.columnNames.includes('worker_id'));
    if (workerFk) await q.dropForeignKey('users', workerFk);
    for (const t of ['assignments', 'workers', 'subcontract_links', 'engagements', 'sessions']) await q.dropTable(t);
    await q.dropColumn('organizations', 'created_by_municipality_id');
    await q.dropColumn('organizations', 'created_by_organization_id');
  }
}
