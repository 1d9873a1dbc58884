import { MigrationInterface, QueryRunner } from 'typeorm';
import { DATA_KEYS } from '../../common/crypto/field-cipher';
import { portableSql } from '../portable-sql';

/*
 * The normaliser and the masking as they were when this migration was written
 * (src/common/input/normalize.ts normalizeEmail, credential/open-badge.ts
 * maskName), copied so that the migration does tomorrow what it does today.
 */
const normalize = (email: string): string => {
  const s = email.normalize('NFKC').trim();
  const at = s.lastIndexOf('@');
  return (at < 0 ? s : `${s.slice(0, at)}@${s.slice(at + 1).replace(/[\u3002\uff0e\uff61]/g, '.')}`).toLowerCase();
};
const graphemes = new Intl.Segmenter('ja', { granularity: 'grapheme' });
const mask = (name: string): string => {
  const [family, ...rest] = name.trim().split(/\s+/);
  if (rest.length) return `${family} *`;
  const chars = [...graphemes.segment(family)].map((g) => g.segment);
  return chars.length >= 2 ? `${chars[0]}*` : '*';
};

/** Every encrypted column: table, column, context (the authenticated `<table>.<column>`). */
const ENCRYPTED: [string, string][] = [
  ['users', 'email'],
  ['users', 'display_name'],
  ['workers', 'name'],
  ['workers', 'email'],
  ['workers', 'employee_number'],
  ['email_tokens', 'email'],
  ['email_tokens', 'payload'],
  ['mail_outbox', 'recipient'],
  ['mail_outbox', 'subject'],
  ['mail_outbox', 'params'],
];

const BATCH = 500;

/**
 * Personal data encrypted at rest (issue 22, docs/data-protection.md):
 * - every personal column (names, e-mail addresses, employee numbers, the
 *   outbox's recipients, subjects and parameters, the e-mail tokens' addresses
 *   and pending accounts) re-written as AES-256-GCM values under the current
 *   data key; PostgreSQL's varchar limits become `text` (a ciphertext is longer);
 * - blind indexes: `users.email_index` (unique: one account per address),
 *   `workers.email_index` (unique per organization), `mail_outbox.recipient_index`;
 *   the unique constraints on the plain addresses go (PostgreSQL; on SQLite they
 *   stay in the table definition, inert since no two ciphertexts are equal, because
 *   dropping them would rebuild `users`, which the sessions reference);
 * - `certificates.holder_masked_name` (1766000000000, public, in the clear) filled where
 *   still empty, so a certificate verifies the same after its holder's name is erased;
 * - the holder's signed forms in `certificate_credentials` (they carry the full name) encrypted.
 * Two rows whose addresses have one normal form (left unmerged by 1765300000000)
 * cannot share a unique index: the second gets an index no address matches.
 * Columns are added with ALTER TABLE … ADD COLUMN (see 1765700000000 for why).
 * SQLite's old plaintext pages are zeroed by `secure_delete` (data-source-options.ts)
 * as they are rewritten; a VACUUM after the upgrade compacts the file.
 */
export class PersonalDataEncrypted1766100000000 implements MigrationInterface {
  name = 'PersonalDataEncrypted1766100000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    const sql = (s: string) => portableSql(q.connection, s);
    await q.query('ALTER TABLE users ADD COLUMN email_index varchar(43) NULL');
    await q.query('ALTER TABLE workers ADD COLUMN email_index varchar(43) NULL');
    await q.query('ALTER TABLE mail_outbox ADD COLUMN recipient_index varchar(43) NULL');
    if (pg) {
      for (const [table, column] of ENCRYPTED) await q.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE text`);
      for (const table of ['users', 'workers']) {
        const t = (await q.getTable(table))!;
        for (const u of t.uniques) if (u.columnNames.includes('email')) await q.dropUniqueConstraint(t, u);
      }
      for (const index of (await q.getTable('mail_outbox'))!.indices)
        if (index.columnNames.includes('recipient')) await q.dropIndex('mail_outbox', index);
    } else {
      for (const index of (await q.getTable('mail_outbox'))!.indices)
        if (index.columnNames.includes('recipient')) await q.query(`DROP INDEX "${index.name}"`);
    }

    // Blind indexes, computed over the plain text before it is encrypted.
    const taken = new Set<string>();
    await this.eachRow(q, 'SELECT id, email FROM users', async (r) => {
      let index = DATA_KEYS.blindIndex(normalize(r.email as string));
      if (taken.has(index)) index = DATA_KEYS.blindIndex(`\u0000duplicate:${r.id as string}`);
      taken.add(index);
      await q.query(sql('UPDATE users SET email_index = ? WHERE id = ?'), [index, r.id]);
    });
    taken.clear();
    await this.eachRow(q, 'SELECT id, organization_id, email FROM workers', async (r) => {
      let index = DATA_KEYS.blindIndex(normalize(r.email as string));
      if (taken.has(`${r.organization_id as string} ${index}`)) index = DATA_KEYS.blindIndex(`\u0000duplicate:${r.id as string}`);
      taken.add(`${r.organization_id as string} ${index}`);
      await q.query(sql('UPDATE workers SET email_index = ? WHERE id = ?'), [index, r.id]);
    });
    await this.eachRow(q, 'SELECT id, recipient FROM mail_outbox', async (r) => {
      await q.query(sql('UPDATE mail_outbox SET recipient_index = ? WHERE id = ?'), [
        DATA_KEYS.blindIndex(normalize(r.recipient as string)),
        r.id,
      ]);
    });
    // certificates.holder_masked_name (1766000000000) is a public fact, shown to anyone who verifies: kept in the clear.
    await this.eachRow(
      q,
      'SELECT c.id, w.name FROM certificates c JOIN workers w ON w.id = c.worker_id WHERE c.holder_masked_name IS NULL',
      async (r) => {
        await q.query(sql('UPDATE certificates SET holder_masked_name = ? WHERE id = ?'), [mask(r.name as string), r.id]);
      },
    );

    for (const [table, column] of ENCRYPTED)
      await this.eachRow(q, `SELECT id, ${column} AS v FROM ${table} WHERE ${column} IS NOT NULL`, async (r) => {
        await q.query(sql(`UPDATE ${table} SET ${column} = ? WHERE id = ?`), [
          DATA_KEYS.encrypt(r.v as string, `${table}.${column}`),
          r.id,
        ]);
      });
    await this.eachRow(q, "SELECT serial AS id, form, jws FROM certificate_credentials WHERE form LIKE 'holder.%'", async (r) => {
      await q.query(sql('UPDATE certificate_credentials SET jws = ? WHERE serial = ? AND form = ?'), [
        DATA_KEYS.encrypt(r.jws as string, 'certificate_credentials.jws'),
        r.id,
        r.form,
      ]);
    });

    await q.query('CREATE UNIQUE INDEX "UQ_users_email_index" ON users (email_index)');
    await q.query('CREATE UNIQUE INDEX "UQ_workers_org_email_index" ON workers (organization_id, email_index)');
    await q.query('CREATE INDEX "IDX_mail_outbox_recipient_index" ON mail_outbox (recipient_index, kind, created_at)');
  }

  /** Reads a query's rows in batches of BATCH by id (keyset), so a large table is never held at once. */
  private async eachRow(q: QueryRunner, select: string, each: (r: Record<string, unknown>) => Promise<void>): Promise<void> {
    const idColumn = select.startsWith('SELECT c.id') ? 'c.id' : select.startsWith('SELECT serial AS id') ? 'serial' : 'id';
    const hasWhere = / WHERE /.test(select);
    let after = '';
    for (;;) {
      const rows = (await q.query(
        portableSql(q.connection, `${select} ${hasWhere ? 'AND' : 'WHERE'} ${idColumn} > ? ORDER BY ${idColumn} LIMIT ${BATCH}`),
        [after],
      )) as Record<string, unknown>[];
      for (const r of rows) await each(r);
      if (rows.length < BATCH) return;
      after = rows[rows.length - 1].id as string;
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const sql = (s: string) => portableSql(q.connection, s);
    for (const [table, column] of ENCRYPTED)
      await this.eachRow(q, `SELECT id, ${column} AS v FROM ${table} WHERE ${column} IS NOT NULL`, async (r) => {
        await q.query(sql(`UPDATE ${table} SET ${column} = ? WHERE id = ?`), [
          DATA_KEYS.decrypt(r.v as string, `${table}.${column}`),
          r.id,
        ]);
      });
    await this.eachRow(q, "SELECT serial AS id, form, jws FROM certificate_credentials WHERE form LIKE 'holder.%'", async (r) => {
      await q.query(sql('UPDATE certificate_credentials SET jws = ? WHERE serial = ? AND form = ?'), [
        DATA_KEYS.decrypt(r.jws as string, 'certificate_credentials.jws'),
        r.id,
        r.form,
      ]);
    });
    await q.query('DROP INDEX "UQ_users_email_index"');
    await q.query('DROP INDEX "UQ_workers_org_email_index"');
    await q.query('DROP INDEX "IDX_mail_outbox_recipient_index"');
    await q.query('CREATE INDEX "IDX_mail_outbox_recipient" ON mail_outbox (recipient, kind, created_at)');
    for (const [table, column] of [
      ['users', 'email_index'],
      ['workers', 'email_index'],
      ['mail_outbox', 'recipient_index'],
    ])
      await q.query(`ALTER TABLE ${table} DROP COLUMN ${column}`);
    if (q.connection.options.type === 'postgres') {
      await q.query('ALTER TABLE users ADD CONSTRAINT "UQ_users_email" UNIQUE (email)');
      await q.query('ALTER TABLE workers ADD CONSTRAINT "UQ_workers_org_email" UNIQUE (organization_id, email)');
    }
  }
}
