import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col, fk } from '../migration-helpers';

export class TrainingAndCertificates1764300000000 implements MigrationInterface {
  name = 'TrainingAndCertificates1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'attempts',
        columns: [
          col.id(),
          col.ref('worker_id'),
          col.ref('engagement_id'),
          col.text('module_id', 64),
          col.int('revision'),
          col.text('content_hash', 64),
          col.int('pass_mark'),
          col.longText('questions'),
          col.instant('started_at'),
          col.instant('expires_at'),
          col.instant('submitted_at', true),
          col.longText('answers', true),
          col.int('score', true),
          { name: 'passed', type: 'boolean', isNullable: true },
        ],
        foreignKeys: [fk(['worker_id'], 'workers'), fk(['engagement_id'], 'engagements')],
        indices: [{ columnNames: ['worker_id', 'module_id', 'started_at'] }, { columnNames: ['engagement_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'completions',
        columns: [
          col.id(),
          col.ref('worker_id'),
          col.text('module_id', 64),
          col.int('revision'),
          col.text('content_hash', 64),
          col.int('score'),
          col.ref('attempt_id'),
          col.instant('completed_at'),
        ],
        uniques: [{ columnNames: ['attempt_id'] }],
        foreignKeys: [fk(['worker_id'], 'workers'), fk(['attempt_id'], 'attempts')],
        indices: [{ columnNames: ['worker_id', 'module_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'status_lists',
        columns: [col.id(), col.text('purpose', 20), col.int('size'), col.longText('bits'), col.int('used'), col.instant('updated_at')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          { name: 'kid', type: 'varchar', length: '64', isPrimary: true },
          col.longText('public_jwk'),
          col.instant('created_at'),
          col.instant('retired_at', true),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'certificates',
        columns: [
          col.id(),
          col.text('serial', 32),
          col.ref('worker_id'),
          col.ref('engagement_id'),
          col.ref('organization_id'),
          col.text('status', 20),
          col.instant('valid_from'),
          col.instant('valid_until'),
          col.longText('modules'),
          col.ref('status_list_id'),
          col.int('status_index'),
          col.longText('credential'),
          col.instant('revoked_at', true),
          col.text('revocation_reason', 500, true),
          col.ref('superseded_by', true),
          col.instant('issued_at'),
        ],
        uniques: [{ columnNames: ['serial'] }, { columnNames: ['status_list_id', 'status_index'] }],
        foreignKeys: [
          fk(['worker_id'], 'workers'),
          fk(['engagement_id'], 'engagements'),
          fk(['organization_id'], 'organizations'),
          fk(['status_list_id'], 'status_lists'),
        ],
        indices: [{ columnNames: ['engagement_id', 'worker_id'] }, { columnNames: ['worker_id'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['certificates', 'signing_keys', 'status_lists', 'completions', 'attempts']) await q.dropTable(t);
  }
}
