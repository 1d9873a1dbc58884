import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { maskName } from '../../certificates/credential/open-badge';
import { col } from '../migration-helpers';

/** Rows rewritten per statement round while filling the new columns (bounds memory on a large table). */
const BATCH = 1000;

/**
 * The public verification (`GET /api/v1/certificates/:serial`, /verify) is
 * the most frequent request the service answers, and its facts change only
 * at issuance and at a status change (issue 17). So the words it shows —
 * the engagement's title, the municipality's and the organization's names,
 * the holder's masked name — are written onto the certificate's own row
 * when it is issued, as the signed credential states them; status,
 * validity and revocation already live there. A signed-out lookup is then
 * one row read by the unique serial, no join (CertificatesService
 * `publicFacts`). Existing certificates are filled here from the rows they
 * name. Nullable: a row written without them (a certificate inserted by an
 * older instance during a rolling update) is answered by the join.
 */
export class CertificatePublicFacts1766000000000 implements MigrationInterface {
  name = 'CertificatePublicFacts1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('certificates', [
      new TableColumn(col.text('engagement_title', 300, true)),
      new TableColumn(col.text('municipality_name', 200, true)),
      new TableColumn(col.text('organization_name', 200, true)),
      new TableColumn(col.text('holder_masked_name', 200, true)),
    ]);
    const postgres = q.connection.options.type === 'postgres';
    const sql = (s: string) =>
      postgres
        ? s.replace(
            /\?/g,
            (
              (n) => () =>
                `$${++n}`
            )(0),
          )
        : s;
    for (;;) {
      const rows = (await q.query(
        sql(
          `SELECT c.id, e.title, m.name AS municipality_name, o.name AS organization_name, w.name AS worker_name
           FROM certificates c
           JOIN engagements e ON e.id = c.engagement_id
           JOIN municipalities m ON m.id = e.municipality_id
           JOIN organizations o ON o.id = c.organization_id
           JOIN workers w ON w.id = c.worker_id
           WHERE c.holder_masked_name IS NULL LIMIT ?`,
        ),
        [BATCH],
      )) as { id: string; title: string; municipality_name: string; organization_name: string; worker_name: string }[];
      for (const r of rows)
        await q.query(
          sql(
            'UPDATE certificates SET engagement_title = ?, municipality_name = ?, organization_name = ?, holder_masked_name = ? WHERE id = ?',
          ),
          [r.title, r.municipality_name, r.organization_name, maskName(r.worker_name), r.id],
        );
      if (rows.length < BATCH) break;
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const c of ['holder_masked_name', 'organization_name', 'municipality_name', 'engagement_title'])
      await q.dropColumn('certificates', c);
  }
}
