import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The public form of a certificate no longer carries the holder's salted
 * e-mail identity (issue 13; docs/certificates.md, "Two forms"): with the
 * masked name and the company's mail domain, anyone holding the serial could
 * confirm a guessed address against it offline. The public forms stored so
 * far were signed with it, so they are dropped here and signed anew, without
 * it, on their first fetch (CertificatesService.signMissingForms, the path
 * certificates from before stored forms already take): a migration holds no
 * signing key. The holder's forms stay as signed. Nothing else changes: the
 * serial, the subject id, the validity and the status entry are the same, so
 * a public form fetched before still verifies, and its status bit still
 * speaks for it. Data only: nothing to undo (`down` leaves the new forms).
 */
export class PublicCredentialsWithoutIdentity1765800000000 implements MigrationInterface {
  name = 'PublicCredentialsWithoutIdentity1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query("DELETE FROM certificate_credentials WHERE form IN ('public.vc', 'public.jwt')");
  }

  async down(): Promise<void> {
    // The forms signed since are as valid as the ones dropped; there is nothing to restore.
  }
}
