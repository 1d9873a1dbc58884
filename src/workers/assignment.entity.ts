import { Entity, PrimaryColumn } from 'typeorm';
import { InstantColumn, RefColumn } from '../database/columns';

/** A worker engaged in the work of an engagement: the people Article 4 training is owed to. */
@Entity('assignments')
export class Assignment {
  @PrimaryColumn({ name: 'engagement_id', type: 'varchar', length: 36 }) engagementId: string;
  @PrimaryColumn({ name: 'worker_id', type: 'varchar', length: 36 }) workerId: string;
  @RefColumn({ name: 'assigned_by' }) assignedBy: string;
  @InstantColumn({ name: 'assigned_at' }) assignedAt: Date;
  /** When a reminder (or the invitation again) was last queued for this worker on this engagement. */
  @InstantColumn({ name: 'last_reminded_at', nullable: true }) lastRemindedAt?: Date | null;
}
