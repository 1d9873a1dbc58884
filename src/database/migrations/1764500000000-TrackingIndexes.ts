import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * Progress and readiness read, for every worker assigned to an engagement,
 * the certificate that stands for them. This index holds all that read
 * needs, so it is answered from the index alone and never visits the table
 * rows, each of which carries a signed credential of about 2 KB: a range
 * scan instead of one random page read per worker.
 */
export class TrackingIndexes1764500000000 implements MigrationInterface {
  name = 'TrackingIndexes1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'certificates',
      new TableIndex({
        name: 'IDX_certificates_standing',
        columnNames: ['engagement_id', 'status', 'worker_id', 'issued_at', 'valid_until', 'serial'],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('certificates', 'IDX_certificates_standing');
  }
}
