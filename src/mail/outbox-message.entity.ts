import { Column, Entity } from 'typeorm';
import { IdColumn, InstantColumn, JsonColumn, RefColumn } from '../database/columns';
import type { MailKind } from './mail-kinds';

/** `pending`: waits for its next attempt; `sending`: claimed by a sender until `claimedUntil`; `sent`; `failed`: given up. */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

/**
 * One e-mail in the transactional outbox (docs/mail.md). Written in the
 * transaction of the event that causes it; the sender renders it from `kind`
 * and `params` and delivers it. `params` may hold a one-time link, so it is
 * emptied once the message is sent. The recipient's address is personal
 * data: never logged, shown masked.
 */
@Entity('mail_outbox')
export class OutboxMessage {
  @IdColumn() id: string;
  /** Unique: the same message is queued once, whoever queues it (`reminder:<engagement>:<worker>:<JST date>`); also sent as a header. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 200, unique: true }) idempotencyKey: string;
  @Column({ type: 'varchar', length: 40 }) kind: MailKind;
  @Column({ type: 'varchar', length: 254 }) recipient: string;
  @RefColumn({ name: 'recipient_user_id', nullable: true }) recipientUserId: string | null;
  /** Both languages, Japanese first. */
  @Column({ type: 'varchar', length: 500 }) subject: string;
  @JsonColumn() params: Record<string, unknown>;
  @Column({ type: 'varchar', length: 12 }) status: OutboxStatus;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @InstantColumn({ name: 'next_attempt_at' }) nextAttemptAt: Date;
  @InstantColumn({ name: 'claimed_until', nullable: true }) claimedUntil: Date | null;
  @Column({ name: 'claim_token', type: 'varchar', length: 36, nullable: true }) claimToken: string | null;
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true }) lastError: string | null;
  @InstantColumn({ name: 'created_at' }) createdAt: Date;
  @InstantColumn({ name: 'sent_at', nullable: true }) sentAt: Date | null;
}
