import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The pass over an engagement's workers (progress, readiness, exports, the Article 11 report) reads each
 * worker's certificates beside them, by (engagement, worker), instead of holding a map of every worker's
 * certificates (27 MB at 100,000 workers: issue 17). IDX_certificates_standing leads with the status and
 * cannot answer that lookup; this index answers it alone, without visiting the rows (each carries a ~2 KB
 * signed credential).
 */
export class CertificatesByWorker1766300000000 implements MigrationInterface {
  name = 'CertificatesByWorker1766300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'certificates',
      new TableIndex({
        name: 'IDX_certificates_by_worker',
        columnNames: ['engagement_id', 'worker_id', 'status', 'issued_at', 'valid_until', 'serial'],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('certificates', 'IDX_certificates_by_worker');
  }
}
