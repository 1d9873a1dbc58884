import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EncryptedColumn, InstantColumn } from '../database/columns';

/**
 * The close-out archive of an engagement (docs/data-protection.md, "Close-out"), kept so the town
 * can download it again until the erasure; it holds the roster's names and addresses, so it is
 * encrypted at rest like them, and deleted by the erasure (its digest stays on the engagement and
 * in the audit chain).
 */
@Entity('engagement_archives')
export class EngagementArchive {
  @PrimaryColumn({ name: 'engagement_id', type: 'varchar', length: 36 }) engagementId: string;
  /** The archive's bytes (canonical JSON, UTF-8), encrypted. */
  @EncryptedColumn('engagement_archives.archive') archive: string;
  /** The detached signature: a compact JWS (EdDSA) whose payload names the archive's SHA-256. */
  @Column({ type: 'text' }) signature: string;
  @InstantColumn({ name: 'created_at' }) createdAt: Date;
}
