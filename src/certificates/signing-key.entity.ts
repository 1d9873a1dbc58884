import { Entity, PrimaryColumn } from 'typeorm';
import { InstantColumn, JsonColumn } from '../database/columns';

/** Public half of a signing key. The private half never enters the database. */
@Entity('signing_keys')
export class SigningKey {
  @PrimaryColumn({ type: 'varchar', length: 64 }) kid: string;
  @JsonColumn({ name: 'public_jwk' }) publicJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
  @InstantColumn({ name: 'created_at' }) createdAt: Date;
  /** Set when a newer key takes over signing; the key stays published so old credentials verify. */
  @InstantColumn({ name: 'retired_at', nullable: true }) retiredAt: Date | null;
}
