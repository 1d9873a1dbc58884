import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { col } from '../migration-helpers';

/**
 * Sign-in throttling moves from a lock on the account (which any stranger
 * could set off, and which only known accounts had) to counters keyed by
 * the address typed, the client, and both (src/auth/sign-in-throttle.ts).
 * The users table's lock columns go; ALTER TABLE … DROP COLUMN runs on
 * PostgreSQL and on SQLite ≥ 3.35 alike, without rebuilding the table
 * (a rebuild on SQLite would drop the sessions that reference users).
 */
export class SignInThrottle1765100000000 implements MigrationInterface {
  name = 'SignInThrottle1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'sign_in_throttle',
        columns: [{ ...col.text('throttle_key', 80), isPrimary: true }, col.instant('window_start'), col.int('attempts', false, 0)],
        indices: [{ columnNames: ['window_start'] }],
      }),
    );
    for (const c of ['failed_logins', 'failed_login_window_start', 'locked_until']) await q.query(`ALTER TABLE users DROP COLUMN ${c}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.addColumns('users', [
      new TableColumn(col.int('failed_logins', false, 0)),
      new TableColumn(col.instant('failed_login_window_start', true)),
      new TableColumn(col.instant('locked_until', true)),
    ]);
    await q.dropTable('sign_in_throttle');
  }
}
