import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { setBit } from '../../certificates/credential/status-list';
import { col } from '../migration-helpers';
import { placeholders, portableSql } from '../portable-sql';

/**
 * Certificates that stay true (docs/certificates.md):
 * - the status bit of every certificate already superseded (or revoked) is
 *   set, so offline verification agrees with the online status;
 * - a revocation holds until the town reinstates: `reinstated_at`,
 *   `reinstatement_reason`, `retraining_required`;
 * - the signed forms (public and holder's, VC-JOSE and OB JWT) move to
 *   `certificate_credentials`; the old single credential, which carried the
 *   holder's full name, is dropped after its identity salt is kept in
 *   `identity_salt`, so the forms of older certificates can be signed anew
 *   with the same identity hash when first fetched;
 * - status lists keep their signed form (`jws`), re-signed when a bit changes.
 */
export class CertificatesThatStayTrue1765200000000 implements MigrationInterface {
  name = 'CertificatesThatStayTrue1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('certificates', [
      new TableColumn(col.text('identity_salt', 64, true)),
      new TableColumn(col.instant('reinstated_at', true)),
      new TableColumn(col.text('reinstatement_reason', 500, true)),
      new TableColumn(col.bool('retraining_required', false)),
    ]);
    await this.keepSalts(q);
    await q.addColumn('status_lists', new TableColumn(col.longText('jws', true)));
    await this.setBits(q);
    await q.dropColumn('certificates', 'credential');
    await q.createTable(
      new Table({
        name: 'certificate_credentials',
        columns: [
          { name: 'serial', type: 'varchar', length: '32', isPrimary: true },
          { name: 'form', type: 'varchar', length: '16', isPrimary: true },
          col.longText('jws'),
        ],
        foreignKeys: [
          { columnNames: ['serial'], referencedTableName: 'certificates', referencedColumnNames: ['serial'], onDelete: 'CASCADE' },
        ],
      }),
    );
  }

  /** The salt of each old credential's identity hash (a page of rows at a time: the credentials are ~2 KB each). */
  private async keepSalts(q: QueryRunner): Promise<void> {
    const sql = (s: string) => portableSql(q.connection, s);
    let after = '';
    for (;;) {
      const rows = (await q.query(sql('SELECT id, credential FROM certificates WHERE id > ? ORDER BY id LIMIT 500'), [after])) as {
        id: string;
        credential: string;
      }[];
      if (!rows.length) return;
      for (const r of rows) {
        const salt = saltOf(r.credential);
        if (salt) await q.query(sql('UPDATE certificates SET identity_salt = ? WHERE id = ?'), [salt, r.id]);
      }
      after = rows[rows.length - 1].id;
    }
  }

  /**
   * Sets the bit of every superseded and revoked certificate (the statuses
   * whose bit is set, certificates/standing.ts, written out so this migration
   * stays as it ran); touched lists lose their signed form, signed anew when next served.
   */
  private async setBits(q: QueryRunner): Promise<void> {
    const sql = (s: string) => portableSql(q.connection, s);
    const withBitSet = ['revoked', 'superseded'];
    const rows = (await q.query(
      sql(`SELECT status_list_id, status_index FROM certificates WHERE status IN (${placeholders(withBitSet.length)})`),
      withBitSet,
    )) as { status_list_id: string; status_index: number | string }[];
    const byList = new Map<string, number[]>();
    for (const r of rows) byList.set(r.status_list_id, [...(byList.get(r.status_list_id) ?? []), Number(r.status_index)]);
    for (const [listId, indexes] of byList) {
      const [list] = (await q.query(sql('SELECT bits FROM status_lists WHERE id = ?'), [listId])) as { bits: string }[];
      let bits = list.bits;
      for (const i of indexes) bits = setBit(bits, i, true);
      await q.query(sql('UPDATE status_lists SET bits = ?, jws = NULL, updated_at = ? WHERE id = ?'), [
        bits,
        new Date().toISOString(),
        listId,
      ]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('certificate_credentials');
    // The old credentials are gone: the column comes back empty (their forms were in certificate_credentials).
    await q.addColumn('certificates', new TableColumn({ ...col.longText('credential'), default: "''" }));
    await q.dropColumn('status_lists', 'jws');
    for (const c of ['retraining_required', 'reinstatement_reason', 'reinstated_at', 'identity_salt'])
      await q.dropColumn('certificates', c);
  }
}

/** The salt in a compact JWS credential's first IdentityObject, or null. */
function saltOf(jws: string): string | null {
  try {
    const payload = JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      credentialSubject?: { identifier?: { salt?: unknown }[] };
    };
    const salt = payload.credentialSubject?.identifier?.[0]?.salt;
    return typeof salt === 'string' && /^[0-9A-Za-z]{1,64}$/.test(salt) ? salt : null;
  } catch {
    return null;
  }
}
