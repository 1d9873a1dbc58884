import { Column, Entity } from 'typeorm';
import { IdColumn, InstantColumn, RefColumn } from '../database/columns';

/** A sign-in. The token itself is never stored, only its SHA-256. */
@Entity('sessions')
export class Session {
  @IdColumn() id: string;
  @RefColumn({ name: 'user_id' }) userId: string;
  @Column({ name: 'token_hash', type: 'varchar', length: 64, unique: true }) tokenHash: string;
  @InstantColumn({ name: 'created_at' }) createdAt: Date;
  @InstantColumn({ name: 'expires_at' }) expiresAt: Date;
  @InstantColumn({ name: 'revoked_at', nullable: true }) revokedAt: Date | null;
}
