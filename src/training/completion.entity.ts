import { Column, Entity } from 'typeorm';
import { IdColumn, InstantColumn, RefColumn } from '../database/columns';

/** A passed module, at a revision. Counts for every engagement of the worker it fits (see TrainingService). */
@Entity('completions')
export class Completion {
  @IdColumn() id: string;
  @RefColumn({ name: 'worker_id' }) workerId: string;
  @Column({ name: 'module_id', type: 'varchar', length: 64 }) moduleId: string;
  @Column({ type: 'integer' }) revision: number;
  @Column({ name: 'content_hash', type: 'varchar', length: 64 }) contentHash: string;
  @Column({ type: 'integer' }) score: number;
  /** One completion per attempt, enforced by a unique index. */
  @RefColumn({ name: 'attempt_id', unique: true }) attemptId: string;
  @InstantColumn({ name: 'completed_at' }) completedAt: Date;
}
