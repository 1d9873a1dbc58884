import { Entity, PrimaryColumn } from 'typeorm';
import { InstantColumn, JsonColumn } from '../database/columns';
import type { PublicJwk } from './credential/keys';

/** Public half of a signing key (Ed25519 or P-256), by its RFC 7638 thumbprint. The private half never enters the database. */
@Entity('signing_keys')
export class SigningKey {
  /** The RFC 7638 thumbprint; the `kid` credentials carry is its key URL (credential/keys.ts `keyUrl`). */
  @PrimaryColumn({ type: 'varchar', length: 64 }) kid: string;
  @JsonColumn({ name: 'public_jwk' }) publicJwk: PublicJwk;
  @InstantColumn({ name: 'created_at' }) createdAt: Date;
  /** Set when a newer key takes over signing; the key stays published so old credentials verify. */
  @InstantColumn({ name: 'retired_at', nullable: true }) retiredAt: Date | null;
}
