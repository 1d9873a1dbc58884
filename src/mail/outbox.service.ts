import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, In } from 'typeorm';
import { AuditService, SYSTEM, type AuditActor } from '../audit/audit.service';
import { emailIndexes } from '../database/columns';
import { placeholders, portableSql } from '../database/portable-sql';
import { limitOf, type MailKind, type OutgoingMail, windowStart } from './mail-kinds';
import { MailRenderer } from './mail-renderer';
import { OutboxMessage } from './outbox-message.entity';

/** What became of a message handed to the outbox. */
export type EnqueueResult = 'queued' | 'duplicate' | 'rate_limited';

/** Rows per statement: well under SQLite's 32,766 variables and PostgreSQL's 65,535 parameters. */
const CHUNK = 200;

/**
 * The transactional outbox (docs/mail.md): a message is a row written in the
 * transaction of the event that causes it, so a rolled-back change sends
 * nothing and a committed one loses nothing; MailSender delivers the rows.
 *
 * Under the audit chain's lock (the lock every audited write takes; on
 * SQLite the write lock every transaction holds from its BEGIN), so the two
 * checks below see every message committed before and none can slip in
 * between check and insert, on one instance or several:
 * - the idempotency key: a key already queued is a duplicate and queues
 *   nothing (the unique index is the backstop, INSERT … ON CONFLICT DO NOTHING);
 * - the per-person limit of the kind's group (mail-kinds.ts MAIL_LIMITS),
 *   counted over the outbox itself: over it, nothing is queued and
 *   `mail.rate_limited` is audited (kind and count only, never the address).
 */
@Injectable()
export class OutboxService {
  constructor(
    private readonly audit: AuditService,
    private readonly renderer: MailRenderer,
  ) {}

  /** One message; see enqueueMany. */
  async enqueue(m: EntityManager, mail: OutgoingMail, actor: AuditActor = SYSTEM): Promise<EnqueueResult> {
    return (await this.enqueueMany(m, [mail], actor))[0];
  }

  /**
   * Queues messages in `m`'s transaction, in order; answers what became of
   * each. Messages later in the list count against the limits of earlier ones.
   */
  async enqueueMany(m: EntityManager, mails: OutgoingMail[], actor: AuditActor = SYSTEM, now = new Date()): Promise<EnqueueResult[]> {
    if (!mails.length) return [];
    await this.audit.lock(m);
    const known = new Set<string>();
    for (const chunk of chunks(
      mails.map((x) => x.key),
      CHUNK,
    ))
      for (const row of await m.find(OutboxMessage, { select: { idempotencyKey: true }, where: { idempotencyKey: In(chunk) } }))
        known.add(row.idempotencyKey);
    const counts = await this.counts(m, mails, now);
    const results: EnqueueResult[] = [];
    const rows: OutboxMessage[] = [];
    const refused = new Map<MailKind, number>();
    for (const mail of mails) {
      if (known.has(mail.key)) {
        results.push('duplicate');
        continue;
      }
      const limit = limitOf(mail.kind);
      const countKey = `${limit.name} ${mail.to}`;
      const sent = counts.get(countKey) ?? 0;
      if (sent >= limit.max) {
        results.push('rate_limited');
        refused.set(mail.kind, (refused.get(mail.kind) ?? 0) + 1);
        continue;
      }
      counts.set(countKey, sent + 1);
      known.add(mail.key);
      rows.push({
        id: randomUUID(),
        idempotencyKey: mail.key,
        kind: mail.kind,
        recipient: mail.to,
        recipientUserId: mail.userId ?? null,
        subject: this.renderer.subject(mail.kind, mail.params as never).slice(0, 500),
        params: mail.params as unknown as Record<string, unknown>,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        claimedUntil: null,
        claimToken: null,
        lastError: null,
        createdAt: now,
        sentAt: null,
      });
      results.push('queued');
    }
    for (const chunk of chunks(rows, CHUNK))
      await m
        .createQueryBuilder()
        .insert()
        .into(OutboxMessage)
        .values(chunk as never[])
        .orIgnore()
        .execute();
    for (const [kind, count] of refused)
      await this.audit.record(m, { action: 'mail.rate_limited', actor, targetType: 'mail', details: { kind, count } });
    return results;
  }

  /** Messages already queued in each (limit group, recipient) window the given mails fall in. */
  private async counts(m: EntityManager, mails: OutgoingMail[], now: Date): Promise<Map<string, number>> {
    const byGroup = new Map<string, { kinds: readonly MailKind[]; since: Date; recipients: Set<string> }>();
    for (const mail of mails) {
      const limit = limitOf(mail.kind);
      const group = byGroup.get(limit.name) ?? { kinds: limit.kinds, since: windowStart(limit, now), recipients: new Set<string>() };
      group.recipients.add(mail.to);
      byGroup.set(limit.name, group);
    }
    const counts = new Map<string, number>();
    for (const [name, group] of byGroup) {
      // The recipient is encrypted: counted by its blind index (under every loaded key, for a rotation).
      const byIndex = new Map<string, string>();
      for (const to of group.recipients) for (const index of emailIndexes(to)) byIndex.set(index, to);
      for (const chunk of chunks([...byIndex.keys()], CHUNK)) {
        const rows = (await m.query(
          portableSql(
            m.connection,
            `SELECT recipient_index, COUNT(*) AS n FROM mail_outbox WHERE kind IN (${placeholders(group.kinds.length)})
             AND recipient_index IN (${placeholders(chunk.length)}) AND created_at >= ? GROUP BY recipient_index`,
          ),
          [...group.kinds, ...chunk, group.since.toISOString()],
        )) as { recipient_index: string; n: number | string }[];
        for (const r of rows) {
          const key = `${name} ${byIndex.get(r.recipient_index)}`;
          counts.set(key, (counts.get(key) ?? 0) + Number(r.n));
        }
      }
    }
    return counts;
  }
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
