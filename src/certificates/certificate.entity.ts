import { Column, Entity } from 'typeorm';
import { IdColumn, InstantColumn, JsonColumn, RefColumn } from '../database/columns';
import type { AttestedModule } from './issuance-rules';
import type { StoredCertificateStatus } from './standing';

export type { CertificateStatus, StoredCertificateStatus } from './standing';

/**
 * A certificate for (worker, engagement). What its status means (expired,
 * standing, revocable, its status bit) is in standing.ts; its signed forms
 * are in `certificate_credentials` (CertificateCredential).
 */
@Entity('certificates')
export class Certificate {
  @IdColumn() id: string;
  @Column({ type: 'varchar', length: 32, unique: true }) serial: string;
  @RefColumn({ name: 'worker_id' }) workerId: string;
  @RefColumn({ name: 'engagement_id' }) engagementId: string;
  @RefColumn({ name: 'organization_id' }) organizationId: string;
  @Column({ type: 'varchar', length: 20 }) status: StoredCertificateStatus;
  @InstantColumn({ name: 'valid_from' }) validFrom: Date;
  @InstantColumn({ name: 'valid_until' }) validUntil: Date;
  /** The modules and revisions the certificate attests. */
  @JsonColumn() modules: AttestedModule[];
  @RefColumn({ name: 'status_list_id' }) statusListId: string;
  @Column({ name: 'status_index', type: 'integer' }) statusIndex: number;
  /** Hex salt of the holder's identity hash in the credential; null only for a certificate whose old credential had none. */
  @Column({ name: 'identity_salt', type: 'varchar', length: 64, nullable: true }) identitySalt: string | null;
  @InstantColumn({ name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @Column({ name: 'revocation_reason', type: 'varchar', length: 500, nullable: true }) revocationReason: string | null;
  /** When the town lifted this revocation's hold on new certificates (the certificate itself stays revoked). */
  @InstantColumn({ name: 'reinstated_at', nullable: true }) reinstatedAt: Date | null;
  @Column({ name: 'reinstatement_reason', type: 'varchar', length: 500, nullable: true }) reinstatementReason: string | null;
  /** Set by a reinstatement that asks for re-training: only completions after `revokedAt` count for the next certificate. */
  @Column({ name: 'retraining_required', type: 'boolean', default: false }) retrainingRequired: boolean;
  @RefColumn({ name: 'superseded_by', nullable: true }) supersededBy: string | null;
  @InstantColumn({ name: 'issued_at' }) issuedAt: Date;
  /*
   * What the public verification shows, as the signed credential states it, written at issuance
   * (migration CertificatePublicFacts): a signed-out lookup reads this row alone. Null on a row
   * written without them; that lookup then joins the rows they come from.
   */
  @Column({ name: 'engagement_title', type: 'varchar', length: 300, nullable: true }) engagementTitle: string | null;
  @Column({ name: 'municipality_name', type: 'varchar', length: 200, nullable: true }) municipalityName: string | null;
  @Column({ name: 'organization_name', type: 'varchar', length: 200, nullable: true }) organizationName: string | null;
  @Column({ name: 'holder_masked_name', type: 'varchar', length: 200, nullable: true }) holderMaskedName: string | null;
  /** The holder's salted identity hash (`identityHash`), kept when their address is erased at close-out: pseudonymous. */
  @Column({ name: 'holder_identity_hash', type: 'varchar', length: 80, nullable: true }) holderIdentityHash?: string | null;
}
