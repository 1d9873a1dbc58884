import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col, fk } from '../migration-helpers';

/**
 * E-mail (issue 19, docs/mail.md):
 * - `mail_outbox`: every message, written in the transaction of the event
 *   that causes it, delivered later by the sender; `idempotency_key` is unique,
 *   so the same message is never queued twice (several instances, a retried
 *   scheduler run);
 * - `email_tokens`: one-time codes sent by e-mail (password reset, proof of
 *   address, manager invitation), stored as hashes;
 * - `users.email_verified_at` (the address was proved by a link or code sent
 *   to it) and `users.displaced_at` (an unproved account whose address another
 *   account proved: it can no longer sign in);
 * - `workers.invitation_code_hash`: the enrollment code sent by e-mail, apart
 *   from the one the manager hands out, so that enrolling with it proves the address;
 * - `assignments.last_reminded_at`, `engagements.reminder_days` (default 14 and 3 days before the start).
 * Columns are added with ALTER TABLE … ADD COLUMN, which both databases do in
 * place: TypeORM's addColumn rebuilds a SQLite table, and rebuilding `users`
 * would cascade into the sessions that reference it.
 */
export class MailOutbox1765700000000 implements MigrationInterface {
  name = 'MailOutbox1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'mail_outbox',
        columns: [
          col.id(),
          col.text('idempotency_key', 200),
          col.text('kind', 40),
          col.text('recipient', 254),
          col.ref('recipient_user_id', true),
          col.text('subject', 500),
          col.longText('params'),
          col.text('status', 12),
          col.int('attempts', false, 0),
          col.instant('next_attempt_at'),
          col.instant('claimed_until', true),
          col.text('claim_token', 36, true),
          col.text('last_error', 500, true),
          col.instant('created_at'),
          col.instant('sent_at', true),
        ],
        uniques: [{ columnNames: ['idempotency_key'] }],
        indices: [
          { columnNames: ['status', 'next_attempt_at'] },
          { columnNames: ['recipient', 'kind', 'created_at'] },
          { columnNames: ['created_at'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'email_tokens',
        columns: [
          col.id(),
          col.text('purpose', 30),
          col.text('token_hash', 64),
          col.ref('user_id', true),
          col.ref('organization_id', true),
          col.text('email', 254),
          col.longText('payload', true),
          col.instant('expires_at'),
          col.instant('used_at', true),
          col.instant('created_at'),
        ],
        uniques: [{ columnNames: ['token_hash'] }],
        indices: [{ columnNames: ['user_id', 'purpose'] }, { columnNames: ['expires_at'] }],
        foreignKeys: [fk(['user_id'], 'users', 'CASCADE'), fk(['organization_id'], 'organizations', 'CASCADE')],
      }),
    );
    await q.query('ALTER TABLE users ADD COLUMN email_verified_at varchar(24) NULL');
    await q.query('ALTER TABLE users ADD COLUMN displaced_at varchar(24) NULL');
    await q.query('ALTER TABLE workers ADD COLUMN invitation_code_hash varchar(64) NULL');
    await q.query('ALTER TABLE workers ADD COLUMN invitation_code_expires_at varchar(24) NULL');
    await q.query('CREATE UNIQUE INDEX "UQ_workers_invitation_code_hash" ON workers (invitation_code_hash)');
    await q.query('ALTER TABLE assignments ADD COLUMN last_reminded_at varchar(24) NULL');
    await q.query(`ALTER TABLE engagements ADD COLUMN reminder_days varchar(100) NOT NULL DEFAULT '[14,3]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE engagements DROP COLUMN reminder_days`);
    await q.query('ALTER TABLE assignments DROP COLUMN last_reminded_at');
    await q.query('DROP INDEX "UQ_workers_invitation_code_hash"');
    await q.query('ALTER TABLE workers DROP COLUMN invitation_code_expires_at');
    await q.query('ALTER TABLE workers DROP COLUMN invitation_code_hash');
    await q.query('ALTER TABLE users DROP COLUMN displaced_at');
    await q.query('ALTER TABLE users DROP COLUMN email_verified_at');
    await q.dropTable('email_tokens');
    await q.dropTable('mail_outbox');
  }
}
