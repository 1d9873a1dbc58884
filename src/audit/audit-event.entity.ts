import { Column, Entity } from 'typeorm';
import { IdColumn, InstantColumn, RefColumn } from '../database/columns';

export type AuditAction =
  | 'auth.sign_in'
  | 'auth.sign_in_failed'
  | 'auth.enrolled'
  | 'user.created'
  | 'user.create_address_taken'
  | 'workers.imported'
  | 'workers.created'
  | 'workers.codes_reissued'
  | 'workers.code_reissued'
  | 'assignments.created'
  | 'assignments.deleted'
  | 'engagement.created'
  | 'subcontractor.added'
  | 'subcontractor.approved'
  | 'subcontractor.rejected'
  | 'attempt.submitted'
  | 'certificate.issued'
  | 'certificate.superseded'
  | 'certificate.revoked'
  | 'certificate.reinstated'
  | 'report.generated'
  | 'export.downloaded'
  | 'auth.enrollment_pending'
  | 'auth.password_reset_requested'
  | 'auth.password_reset'
  | 'user.address_proved'
  | 'user.displaced'
  | 'organization.manager_invited'
  | 'reminders.sent'
  | 'engagement.reminders_configured'
  | 'mail.rate_limited'
  | 'mail.retried'
  | 'engagement.closed_out'
  | 'engagement.archive_downloaded'
  | 'engagement.personal_data_erased';

/** Who acted: a user's role, or `anonymous` (not signed in) and `system` (done automatically), both without an id. */
export type AuditActorRole = string;

/**
 * One security-relevant act, append-only and hash-chained (docs/audit.md).
 * `details` is canonical JSON text of ids, counts and scores, never names or
 * e-mails; it is kept as text so verification hashes exactly the stored bytes.
 */
@Entity('audit_events')
export class AuditEvent {
  @IdColumn() id: string;
  /** The chain order: 1, 2, 3, … without gaps. */
  @Column({ type: 'integer', unique: true }) seq: number;
  @InstantColumn({ name: 'occurred_at' }) occurredAt: Date;
  @RefColumn({ name: 'actor_id', nullable: true }) actorId: string | null;
  @Column({ name: 'actor_role', type: 'varchar', length: 20 }) actorRole: AuditActorRole;
  @Column({ type: 'varchar', length: 64 }) action: AuditAction;
  @Column({ name: 'target_type', type: 'varchar', length: 40 }) targetType: string;
  @Column({ name: 'target_id', type: 'varchar', length: 64, nullable: true }) targetId: string | null;
  @RefColumn({ name: 'engagement_id', nullable: true }) engagementId: string | null;
  @Column({ type: 'text' }) details: string;
  @Column({ name: 'prev_hash', type: 'varchar', length: 64 }) prevHash: string;
  @Column({ type: 'varchar', length: 64 }) hash: string;
}
