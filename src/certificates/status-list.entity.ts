import { Column, Entity } from 'typeorm';
import { IdColumn, InstantColumn } from '../database/columns';

/** A W3C Bitstring Status List (revocation). Kept in the database so every instance publishes the same bits. */
@Entity('status_lists')
export class StatusList {
  @IdColumn() id: string;
  @Column({ type: 'varchar', length: 20 }) purpose: 'revocation';
  /** Number of entries (bits), at least 131,072 as the specification asks. */
  @Column({ type: 'integer' }) size: number;
  /** The raw bitstring, base64; bit i is byte i>>3, most significant bit first. */
  @Column({ type: 'text' }) bits: string;
  @Column({ type: 'integer' }) used: number;
  @InstantColumn({ name: 'updated_at' }) updatedAt: Date;
  /**
   * The list as a signed BitstringStatusListCredential, re-signed in the
   * transaction that changes a bit, so serving it is a read. Null until first
   * served for a list written before this column (or by the migration that set bits).
   */
  @Column({ type: 'text', nullable: true }) jws: string | null;
}
