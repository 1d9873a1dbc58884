import { Column, Entity } from 'typeorm';
import { IdColumn, InstantColumn, JsonColumn, RefColumn } from '../database/columns';

export type StoredCertificateStatus = 'valid' | 'revoked' | 'superseded';
/** `expired` is never stored: a valid certificate past its validUntil reads expired. */
export type CertificateStatus = StoredCertificateStatus | 'expired';

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
  @JsonColumn() modules: { moduleId: string; revision: number; completedAt: string }[];
  @RefColumn({ name: 'status_list_id' }) statusListId: string;
  @Column({ name: 'status_index', type: 'integer' }) statusIndex: number;
  /** The signed VC-JOSE credential, compact JWS. */
  @Column({ type: 'text' }) credential: string;
  @InstantColumn({ name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @Column({ name: 'revocation_reason', type: 'varchar', length: 500, nullable: true }) revocationReason: string | null;
  @RefColumn({ name: 'superseded_by', nullable: true }) supersededBy: string | null;
  @InstantColumn({ name: 'issued_at' }) issuedAt: Date;
}

export function effectiveStatus(c: Pick<Certificate, 'status' | 'validUntil'>, now = new Date()): CertificateStatus {
  return c.status === 'valid' && c.validUntil <= now ? 'expired' : c.status;
}
