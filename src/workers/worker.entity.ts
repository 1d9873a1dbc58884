import { Column, Entity } from 'typeorm';
import { IdColumn, InstantColumn, RefColumn } from '../database/columns';

/** 従事者. Name and e-mail are personal data: never logged, never in a URL. */
@Entity('workers')
export class Worker {
  @IdColumn() id: string;
  @RefColumn({ name: 'organization_id' }) organizationId: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  /** Lower-cased; unique within the organization, the key a re-import matches on. */
  @Column({ type: 'varchar', length: 254 }) email: string;
  /** フリガナ, normalised full-width katakana (common/input normalizeFurigana); the key of 五十音順. Personal data: read only by WorkersService. */
  @Column({ type: 'varchar', length: 200, nullable: true }) furigana?: string | null;
  @Column({ name: 'employee_number', type: 'varchar', length: 50, nullable: true }) employeeNumber: string | null;
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
