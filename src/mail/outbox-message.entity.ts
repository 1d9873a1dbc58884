import { Column, Entity } from 'typeorm';
import { BlindIndexColumn, EncryptedColumn, EncryptedJsonColumn, IdColumn, InstantColumn, RefColumn } from '../database/columns';
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
  /** Encrypted at rest (docs/data-protection.md); counted per address through `recipientIndex`. */
  @EncryptedColumn('mail_outbox.recipient') recipient: string;
  /** HMAC of the normalised recipient: the per-address limits count on it. Written by BlindIndexSubscriber. */
  @BlindIndexColumn('recipient', { name: 'recipient_index' }) recipientIndex?: string;
  @RefColumn({ name: 'recipient_user_id', nullable: true }) recipientUserId: string | null;
  /** Both languages, Japanese first. May name the recipient: encrypted at rest. */
  @EncryptedColumn('mail_outbox.subject') subject: string;
  /** Names and one-time links: encrypted at rest. */
  @EncryptedJsonColumn('mail_outbox.params') params: Record<string, unknown>;
  @Column({ type: 'varchar', length: 12 }) status: OutboxStatus;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  @InstantColumn({ name: 'next_attempt_at' }) nextAttemptAt: Date;
  @InstantColumn({ name: 'claimed_until', nullable: true }) claimedUntil: Date | null;
  @Column({ name: 'claim_token', type: 'varchar', length: 36, nullable: true }) claimToken: string | null;
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true }) lastError: string | null;
  @InstantColumn({ name: 'created_at' }) createdAt: Date;
  @InstantColumn({ name: 'sent_at', nullable: true }) sentAt: Date | null;
}
