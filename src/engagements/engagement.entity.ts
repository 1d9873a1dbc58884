import { Column, Entity } from 'typeorm';
import { DateColumn, IdColumn, InstantColumn, JsonColumn, RefColumn } from '../database/columns';

@Entity('engagements')
export class Engagement {
  @IdColumn() id: string;
  @RefColumn({ name: 'municipality_id' }) municipalityId: string;
  @Column({ type: 'varchar', length: 300 }) title: string;
  @Column({ name: 'contract_number', type: 'varchar', length: 100 }) contractNumber: string;
  @RefColumn({ name: 'prime_organization_id' }) primeOrganizationId: string;
  @DateColumn({ name: 'starts_on' }) startsOn: string;
  @DateColumn({ name: 'ends_on' }) endsOn: string;
  @Column({ name: 'handles_personal_info', type: 'boolean' }) handlesPersonalInfo: boolean;
  @Column({ name: 'handles_my_number', type: 'boolean' }) handlesMyNumber: boolean;
  @Column({ name: 'uses_cloud_storage', type: 'boolean' }) usesCloudStorage: boolean;
  @JsonColumn({ name: 'extra_module_ids' }) extraModuleIds: string[];
  /** Module ids, derived from the flags and the extras when the engagement is created. */
  @JsonColumn() curriculum: string[];
  /** Percent; overrides each module's own pass mark when set. */
  @Column({ name: 'pass_mark', type: 'integer', nullable: true }) passMark: number | null;
  @Column({ name: 'certificate_validity_days', type: 'integer', default: 365 }) certificateValidityDays: number;
  @InstantColumn({ name: 'created_at' }) createdAt: Date;
  /** Days before `startsOn` on which unfinished workers are reminded by e-mail (src/mail/reminders.service.ts); [] for none. */
  @JsonColumn({ name: 'reminder_days', type: 'varchar', length: 100, default: '[14,3]' }) reminderDays?: number[];
  /** When the town closed the engagement out (Article 7; src/close-out): after `endsOn`, once. */
  @InstantColumn({ name: 'closed_out_at', nullable: true }) closedOutAt?: Date | null;
  /** SHA-256 (hex) of the close-out archive the town received; also in the audit chain. */
  @Column({ name: 'close_out_sha256', type: 'varchar', length: 64, nullable: true }) closeOutSha256?: string | null;
  /** When the personal data only this engagement needed was erased, on the town's confirmation. */
  @InstantColumn({ name: 'erased_at', nullable: true }) erasedAt?: Date | null;
}
