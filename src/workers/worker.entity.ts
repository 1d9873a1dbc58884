import { Column, Entity, Index } from 'typeorm';
import { BlindIndexColumn, EncryptedColumn, IdColumn, InstantColumn, RefColumn } from '../database/columns';

/** 従事者. Name, e-mail and employee number are personal data: encrypted at rest, never logged, never in a URL. */
@Entity('workers')
@Index('UQ_workers_org_email_index', ['organizationId', 'emailIndex'], { unique: true })
export class Worker {
  @IdColumn() id: string;
  @RefColumn({ name: 'organization_id' }) organizationId: string;
  @EncryptedColumn('workers.name') name: string;
  /** Normalised; unique within the organization (through `emailIndex`), the key a re-import matches on. */
  @EncryptedColumn('workers.email') email: string;
  /** HMAC of the normalised address; written by BlindIndexSubscriber. */
  @BlindIndexColumn('email', { name: 'email_index' }) emailIndex?: string;
  /** フリガナ, normalised full-width katakana (common/input normalizeFurigana); the key of 五十音順 (sorted after decryption, worker-order.ts). Encrypted at rest. */
  @EncryptedColumn('workers.furigana', { nullable: true }) furigana?: string | null;
  @EncryptedColumn('workers.employee_number', { name: 'employee_number', nullable: true }) employeeNumber: string | null;
  @Column({ name: 'enrollment_code_hash', type: 'varchar', length: 64, nullable: true, unique: true })
  enrollmentCodeHash: string | null;
  @InstantColumn({ name: 'enrollment_code_expires_at', nullable: true }) enrollmentCodeExpiresAt: Date | null;
  @InstantColumn({ name: 'enrolled_at', nullable: true }) enrolledAt: Date | null;
  /**
   * The enrollment code sent to the worker's address in the invitation (never shown to a manager):
   * enrolling with it proves the address. The manager's code (`enrollmentCodeHash`) enrols too, unproved.
   */
  @Column({ name: 'invitation_code_hash', type: 'varchar', length: 64, nullable: true, unique: true })
  invitationCodeHash?: string | null;
  @InstantColumn({ name: 'invitation_code_expires_at', nullable: true }) invitationCodeExpiresAt?: Date | null;
  @InstantColumn({ name: 'created_at' }) createdAt: Date;
  @InstantColumn({ name: 'updated_at' }) updatedAt: Date;
}
