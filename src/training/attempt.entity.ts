import { Column, Entity } from 'typeorm';
import { IdColumn, InstantColumn, JsonColumn, RefColumn } from '../database/columns';

/** The drawn questions as they were when the attempt started: grading uses this, not today's content. */
export interface DrawnQuestion {
  id: string;
  article: string;
  text: { ja: string; en: string };
  multiple: boolean;
  /** In the order shown. `key` is what the client sees: per-attempt, position-free. */
  choices: { key: string; id: string; text: { ja: string; en: string }; correct: boolean }[];
  explanation: { ja: string; en: string };
}

export interface GivenAnswer {
  questionId: string;
  choiceKeys: string[];
}

/** One quiz sitting. Kept forever: attempts are never overwritten. */
@Entity('attempts')
export class Attempt {
  @IdColumn() id: string;
  @RefColumn({ name: 'worker_id' }) workerId: string;
  @RefColumn({ name: 'engagement_id' }) engagementId: string;
  @Column({ name: 'module_id', type: 'varchar', length: 64 }) moduleId: string;
  @Column({ type: 'integer' }) revision: number;
  @Column({ name: 'content_hash', type: 'varchar', length: 64 }) contentHash: string;
  @Column({ name: 'pass_mark', type: 'integer' }) passMark: number;
  @JsonColumn() questions: DrawnQuestion[];
  @InstantColumn({ name: 'started_at' }) startedAt: Date;
  @InstantColumn({ name: 'expires_at' }) expiresAt: Date;
  @InstantColumn({ name: 'submitted_at', nullable: true }) submittedAt: Date | null;
  @JsonColumn({ nullable: true }) answers: GivenAnswer[] | null;
  @Column({ type: 'integer', nullable: true }) score: number | null;
  @Column({ type: 'boolean', nullable: true }) passed: boolean | null;
}
