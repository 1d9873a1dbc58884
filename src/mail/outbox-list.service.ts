import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { decodeCursor, invalidCursor, toPage } from '../common/pagination/pagination';
import { TransactionService } from '../database/transaction.service';
import { MailSender } from './mail-sender.service';
import { OutboxMessage, type OutboxStatus } from './outbox-message.entity';

/** `yamada@example.jp` → `ya***@example.jp`: enough to tell messages apart, not to read the address off a screen. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '***';
  const local = [...address.slice(0, at)];
  return `${local.slice(0, local.length > 3 ? 2 : 1).join('')}***${address.slice(at)}`;
}

export const outboxView = (o: OutboxMessage) => ({
  id: o.id,
  kind: o.kind,
  subject: o.subject,
  recipient: maskAddress(o.recipient),
  status: o.status,
  attempts: o.attempts,
  lastError: o.lastError,
  nextAttemptAt: o.status === 'pending' ? o.nextAttemptAt.toISOString() : null,
  createdAt: o.createdAt.toISOString(),
  sentAt: o.sentAt ? o.sentAt.toISOString() : null,
});

/** The outbox as the admin reads it (`mail.outbox.read`, checked by the callers): newest first, recipients masked. */
@Injectable()
export class OutboxListService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly sender: MailSender,
    private readonly audit: AuditService,
  ) {}

  async page(limit: number, cursor?: string, status?: OutboxStatus) {
    const qb = this.db.getRepository(OutboxMessage).createQueryBuilder('o');
    if (status) qb.andWhere('o.status = :status', { status });
    const after = decodeCursor(cursor);
    if (after) {
      if (!/^\d{4}-\d{2}-\d{2}T/.test(after[0])) throw invalidCursor();
      qb.andWhere('(o.created_at < :k OR (o.created_at = :k AND o.id < :i))', { k: after[0], i: after[1] });
    }
    const rows = await qb
      .orderBy('o.created_at', 'DESC')
      .addOrderBy('o.id', 'DESC')
      .take(limit + 1)
      .getMany();
    return toPage(rows, limit, (o) => [o.createdAt.toISOString(), o.id], outboxView);
  }

  counts(): Promise<Record<string, number>> {
    return this.sender.counts();
  }

  /** Failed messages back to the queue; audited (`mail.retried`, the count). */
  async retry(user: AuthUser, ids: string[]): Promise<number> {
    const n = await this.sender.retry(ids);
    if (n)
      await this.tx.run((m) => this.audit.record(m, { action: 'mail.retried', actor: user, targetType: 'mail', details: { count: n } }));
    return n;
  }
}
