import { Column, Entity, Index } from 'typeorm';
import { BlindIndexColumn, EncryptedColumn, IdColumn, InstantColumn, RefColumn } from '../database/columns';

/**
 * `content_author`: writes and reviews the training content; sees the module
 * catalog and the item analysis, nothing about people (docs/item-analysis.md).
 * The column is a plain varchar(20): no constraint lists the roles.
 */
export const ROLES = ['admin', 'town_staff', 'org_manager', 'worker', 'content_author'] as const;
export type Role = (typeof ROLES)[number];

@Entity('users')
@Index('UQ_users_email_index', ['emailIndex'], { unique: true })
export class User {
  @IdColumn() id: string;
  /** Normalised (src/common/input/normalize.ts); the sign-in name. Encrypted at rest: found by `emailIndex`. */
  @EncryptedColumn('users.email') email: string;
  /** HMAC of the normalised address (docs/data-protection.md); unique: one account per address. Written by BlindIndexSubscriber. */
  @BlindIndexColumn('email', { name: 'email_index' }) emailIndex?: string;
  @EncryptedColumn('users.display_name', { name: 'display_name' }) displayName: string;
  @Column({ type: 'varchar', length: 20 }) role: Role;
  /** PHC argon2id (or a legacy scrypt hash, replaced at the next sign-in): src/auth/password.ts. */
  @Column({ name: 'password_hash', type: 'varchar', length: 200 }) passwordHash: string;
  @RefColumn({ name: 'municipality_id', nullable: true }) municipalityId: string | null;
  @RefColumn({ name: 'organization_id', nullable: true }) organizationId: string | null;
  @RefColumn({ name: 'worker_id', nullable: true }) workerId: string | null;
  @InstantColumn({ name: 'created_at' }) createdAt: Date;
  /**
   * When the address was proved: a link or code sent to it came back (an e-mailed enrollment code, a
   * password reset, an address confirmation, a manager invitation). Null: unproved, and such an
   * account blocks nobody (docs/accounts-and-access.md, "Proof of address").
   */
  @InstantColumn({ name: 'email_verified_at', nullable: true }) emailVerifiedAt?: Date | null;
  /** When another account proved this one's address: it can no longer sign in, and its `email` is a placeholder. */
  @InstantColumn({ name: 'displaced_at', nullable: true }) displacedAt?: Date | null;
}
