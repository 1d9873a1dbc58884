import { Column, Entity } from 'typeorm';
import { EncryptedColumn, EncryptedJsonColumn, IdColumn, InstantColumn, RefColumn } from '../database/columns';

/**
 * What a code sent by e-mail lets its holder do (src/auth/account-links.service.ts):
 * - `password_reset`: set a new password (30 minutes);
 * - `address_proof`: prove the address of an account, or create the account
 *   that waits for it (`payload`: a pending enrollment or a pending account);
 * - `manager_invitation`: become the first manager of a newly registered organization.
 */
export type EmailTokenPurpose = 'password_reset' | 'address_proof' | 'manager_invitation';

/** One-time code sent by e-mail, stored as the hash of its normalized form (tokens.ts, like enrollment codes). */
@Entity('email_tokens')
export class EmailToken {
  @IdColumn() id: string;
  @Column({ type: 'varchar', length: 30 }) purpose: EmailTokenPurpose;
  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true }) tokenHash: string;
  @RefColumn({ name: 'user_id', nullable: true }) userId: string | null;
  @RefColumn({ name: 'organization_id', nullable: true }) organizationId: string | null;
  /** The address it was sent to: proving works only while the account still has it. Encrypted at rest. */
  @EncryptedColumn('email_tokens.email') email: string;
  /** A pending account's name is personal data: encrypted at rest. */
  @EncryptedJsonColumn('email_tokens.payload', { nullable: true }) payload: Record<string, unknown> | null;
  @InstantColumn({ name: 'expires_at' }) expiresAt: Date;
  @InstantColumn({ name: 'used_at', nullable: true }) usedAt: Date | null;
  @InstantColumn({ name: 'created_at' }) createdAt: Date;
}
