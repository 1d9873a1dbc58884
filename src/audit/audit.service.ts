import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { AuthUser } from '../auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import { decodeCursor, invalidCursor, Page, toPage } from '../common/pagination/pagination';
import { TransactionService } from '../database/transaction.service';
import { ChainReport, verifyAuditChain } from './audit-chain';
import { AuditAction, AuditEvent } from './audit-event.entity';
import { canonicalJson, eventHash, GENESIS_HASH } from './audit-hash';

/** Who acted. An AuthUser fits; only its id and role are kept. */
export interface AuditActor {
  id: string | null;
  role: string;
}
/** Not signed in (a failed sign-in). */
export const ANONYMOUS: AuditActor = { id: null, role: 'anonymous' };
/** Done by the service itself (a certificate issued when it became due). */
export const SYSTEM: AuditActor = { id: null, role: 'system' };

/** Ids, counts, scores, codes: never names, e-mails or free text someone typed. */
export type AuditDetails = Record<string, string | number | boolean | null | readonly string[] | readonly number[]>;

export interface AuditEntry {
  action: AuditAction;
  actor: AuditActor;
  targetType: string;
  targetId?: string | null;
  engagementId?: string | null;
  details?: AuditDetails;
}

/** Key of the PostgreSQL advisory lock that keeps appends in one line ("Audi"). */
const CHAIN_LOCK = 1098212457;

export const auditEventView = (e: AuditEvent) => ({
  seq: e.seq,
  id: e.id,
  occurredAt: e.occurredAt.toISOString(),
  actorId: e.actorId,
  actorRole: e.actorRole,
  action: e.action,
  targetType: e.targetType,
  targetId: e.targetId,
  engagementId: e.engagementId,
  details: JSON.parse(e.details) as Record<string, unknown>,
  prevHash: e.prevHash,
  hash: e.hash,
});

@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly access: AccessService,
  ) {}

  /**
   * Appends an event inside the caller's transaction, so it commits or rolls
   * back with the act. On SQLite TransactionService already runs one write
   * transaction at a time; on PostgreSQL concurrent transactions would read
   * the same last event and fork the chain, so a transaction-scoped advisory
   * lock orders them (held to commit; the unique seq is the backstop).
   * Record after the act's own row writes; a transaction that goes on to
   * update rows other audited transactions also update (the status list)
   * takes `lock` first, so every transaction takes the locks in one order.
   */
  async record(m: EntityManager, entry: AuditEntry): Promise<AuditEvent> {
    await this.lock(m);
    const last = await m
      .getRepository(AuditEvent)
      .createQueryBuilder('a')
      .select(['a.id', 'a.seq', 'a.hash'])
      .orderBy('a.seq', 'DESC')
      .limit(1)
      .getOne();
    const occurredAt = new Date();
    const fields = {
      id: randomUUID(),
      seq: (last?.seq ?? 0) + 1,
      occurredAt: occurredAt.toISOString(),
      actorId: entry.actor.id,
      actorRole: entry.actor.role,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      engagementId: entry.engagementId ?? null,
      details: canonicalJson(entry.details ?? {}),
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const event: AuditEvent = { ...fields, occurredAt, hash: eventHash(fields) };
    await m.insert(AuditEvent, event);
    return event;
  }

  /** Takes the chain's transaction-scoped lock (PostgreSQL; SQLite's write queue already orders). Re-entrant. */
  async lock(m: EntityManager): Promise<void> {
    if (m.dataSource.options.type === 'postgres') await m.query(`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`);
  }

  /** Appends an event in a transaction of its own, for acts that write nothing else (an unknown e-mail's failed sign-in). */
  append(entry: AuditEntry): Promise<AuditEvent> {
    return this.tx.run((m) => this.record(m, entry));
  }

  verifyChain(ds: DataSource = this.db): Promise<ChainReport> {
    return verifyAuditChain(ds);
  }

  /**
   * Admin: every event, or one engagement's. Town staff: one engagement of
   * their municipality's, named (400 `audit.engagement_required` without; 404 for another's). In seq order.
   */
  async list(
    user: AuthUser,
    q: { engagementId?: string; limit: number; cursor?: string },
  ): Promise<Page<ReturnType<typeof auditEventView>>> {
    // The route admits town staff and the admin; town staff may not read the whole trail, so they must name an engagement.
    if (q.engagementId) await this.access.engagement(user, q.engagementId, 'audit.read');
    else if (!(await this.access.can(user, 'audit.read', null))) throw new DomainError('audit.engagement_required', {}, 'engagementId');
    const after = decodeCursor(q.cursor);
    const afterSeq = after ? Number(after[0]) : 0;
    if (!Number.isSafeInteger(afterSeq)) throw invalidCursor();
    const qb = this.db.getRepository(AuditEvent).createQueryBuilder('a').where('a.seq > :afterSeq', { afterSeq });
    if (q.engagementId) qb.andWhere('a.engagement_id = :engagementId', { engagementId: q.engagementId });
    const rows = await qb
      .orderBy('a.seq', 'ASC')
      .take(q.limit + 1)
      .getMany();
    return toPage(rows, q.limit, (e) => [String(e.seq), e.id], auditEventView);
  }
}
