import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { Engagement } from '../engagements/engagement.entity';
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
  async list(user: AuthUser, q: AuditFilters & { limit: number; cursor?: string }): Promise<Page<ReturnType<typeof auditEventView>>> {
    // The route admits town staff and the admin; town staff may not read the whole trail, so they must name an engagement.
    if (q.engagementId) await this.access.engagement(user, q.engagementId, 'audit.read');
    else if (!(await this.access.can(user, 'audit.read', null))) throw new DomainError('audit.engagement_required', {}, 'engagementId');
    const after = decodeCursor(q.cursor);
    const afterSeq = after ? Number(after[0]) : 0;
    if (!Number.isSafeInteger(afterSeq)) throw invalidCursor();
    const qb = this.db.getRepository(AuditEvent).createQueryBuilder('a').where('a.seq > :afterSeq', { afterSeq });
    filterAudit(qb, q);
    const rows = await qb
      .orderBy('a.seq', 'ASC')
      .take(q.limit + 1)
      .getMany();
    return toPage(rows, q.limit, (e) => [String(e.seq), e.id], auditEventView);
  }

  /**
   * The audit page: the events the caller may read (AccessService.scopeAudit: the admin all, town staff
   * their municipality's engagements), newest first, narrowed by the filters, a page at a time with the
   * project's cursor (the last event's seq: no personal data). Each event carries the names the caller
   * may see (`names`: user accounts and workers by id, AccessService.namesInAudit) and the titles of
   * the engagements on the page. Times stay instants; web/ writes them in JST.
   * @throws DomainError `access.forbidden` (403) for anyone but the admin and town staff,
   *   `pagination.invalid_cursor` (400)
   */
  async search(user: AuthUser, q: AuditFilters & { limit: number; cursor?: string }): Promise<AuditSearchPage> {
    await this.access.require(user, 'audit.search', null);
    const after = decodeCursor(q.cursor);
    const beforeSeq = after ? Number(after[0]) : null;
    if (beforeSeq !== null && !Number.isSafeInteger(beforeSeq)) throw invalidCursor();
    const qb = this.searchQuery(user, q);
    if (beforeSeq !== null) qb.andWhere('a.seq < :beforeSeq', { beforeSeq });
    const rows = await qb
      .orderBy('a.seq', 'DESC')
      .take(q.limit + 1)
      .getMany();
    const page = toPage(rows, q.limit, (e) => [String(e.seq), e.id], auditEventView);
    return { ...page, ...(await this.namesFor(user, page.items)) };
  }

  /**
   * Every event the page's filters keep (up to `AUDIT_EXPORT_LIMIT`, newest first) for the CSV, with
   * names as `search`; the export itself is then recorded in the trail (kind `audit_csv`, the row count
   * and the filters' ids and kinds, never names).
   */
  async export(user: AuthUser, q: AuditFilters): Promise<AuditSearchPage> {
    await this.access.require(user, 'audit.search', null);
    const rows = await this.searchQuery(user, q).orderBy('a.seq', 'DESC').take(AUDIT_EXPORT_LIMIT).getMany();
    const items = rows.map(auditEventView);
    const named = await this.namesFor(user, items);
    await this.append({
      action: 'export.downloaded',
      actor: user,
      targetType: 'audit_trail',
      engagementId: q.engagementId ?? null,
      details: {
        kind: 'audit_csv',
        rows: items.length,
        engagementId: q.engagementId ?? null,
        action: q.action ?? null,
        actorId: q.actorId ?? null,
        from: q.from ?? null,
        to: q.to ?? null,
      },
    });
    return { items, nextCursor: null, ...named };
  }

  /** The actors seen in the caller's part of the trail (the page's actor filter): ids with the names they may see. */
  async actors(user: AuthUser): Promise<{ id: string; role: string; name: string | null }[]> {
    await this.access.require(user, 'audit.search', null);
    const qb = this.db
      .getRepository(AuditEvent)
      .createQueryBuilder('a')
      .select('a.actor_id', 'actor_id')
      .addSelect('MIN(a.actor_role)', 'actor_role')
      .where('a.actor_id IS NOT NULL');
    this.access.scopeAudit(qb, user);
    const rows = (await qb.groupBy('a.actor_id').limit(AUDIT_ACTORS_LIMIT).getRawMany()) as { actor_id: string; actor_role: string }[];
    const { users } = await this.access.namesInAudit(
      user,
      rows.map((r) => r.actor_id),
      [],
    );
    return rows.map((r) => ({ id: r.actor_id, role: r.actor_role, name: users.get(r.actor_id) ?? null }));
  }

  private searchQuery(user: AuthUser, q: AuditFilters) {
    const qb = this.db.getRepository(AuditEvent).createQueryBuilder('a');
    this.access.scopeAudit(qb, user);
    return filterAudit(qb, q);
  }

  /** The names on a page of events the caller may see, and the engagements' titles (all in the caller's scope). */
  private async namesFor(user: AuthUser, items: ReturnType<typeof auditEventView>[]) {
    const userIds = new Set<string>();
    const workerIds = new Set<string>();
    const engagementIds = new Set<string>();
    const organizationIds = new Set<string>();
    const add = (set: Set<string>, v: unknown) => {
      for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string' && UUID.test(x)) set.add(x);
    };
    for (const e of items) {
      if (e.actorId) userIds.add(e.actorId);
      if (e.targetId && e.targetType === 'user') userIds.add(e.targetId);
      if (e.targetId && e.targetType === 'worker') workerIds.add(e.targetId);
      if (e.targetId && e.targetType === 'organization') organizationIds.add(e.targetId);
      if (e.engagementId) engagementIds.add(e.engagementId);
      // Ids in the details, by the key that names them (AUDIT_DETAIL_IDS).
      for (const [k, v] of Object.entries(e.details)) {
        const kind = AUDIT_DETAIL_IDS[k];
        if (kind === 'user') add(userIds, v);
        else if (kind === 'worker') add(workerIds, v);
        else if (kind === 'organization') add(organizationIds, v);
        else if (kind === 'engagement') add(engagementIds, v);
      }
    }
    const [{ users, workers, organizations }, engagements] = await Promise.all([
      this.access.namesInAudit(user, [...userIds], [...workerIds], [...organizationIds]),
      engagementIds.size
        ? this.db.getRepository(Engagement).find({ select: { id: true, title: true }, where: { id: In([...engagementIds]) } })
        : Promise.resolve([] as Engagement[]),
    ]);
    // Engagements: every event read is of an engagement the caller sees (scopeAudit), titles are no personal data.
    return { names: { users, workers, organizations, engagements: new Map(engagements.map((e) => [e.id, e.title])) } };
  }
}

/** The filters of the audit page and the API (`engagementId` too). From and to are JST calendar days, inclusive. */
export interface AuditFilters {
  engagementId?: string;
  actorId?: string;
  action?: AuditAction;
  from?: string;
  to?: string;
}

/** A page of the audit page: the events and the names the caller may see for their ids. */
export interface AuditSearchPage extends Page<ReturnType<typeof auditEventView>> {
  names: { users: Map<string, string>; workers: Map<string, string>; organizations: Map<string, string>; engagements: Map<string, string> };
}

/** The keys of `details` that hold ids, and what they name (the audit page shows names for them where the caller may see them). */
export const AUDIT_DETAIL_IDS: Record<string, 'user' | 'worker' | 'organization' | 'engagement'> = {
  workerId: 'worker',
  workerIds: 'worker',
  organizationId: 'organization',
  parentOrganizationId: 'organization',
  primeOrganizationId: 'organization',
  engagementId: 'engagement',
  pendingUserId: 'user',
  by: 'user',
  actorId: 'user',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Rows in one CSV export of the trail (the newest). */
export const AUDIT_EXPORT_LIMIT = 50_000;
/** Actors offered in the page's filter. */
const AUDIT_ACTORS_LIMIT = 500;

/** The instant a JST calendar day begins, as stored (ISO-8601 UTC, which compares as text). */
const jstDayStart = (day: string) => new Date(`${day}T00:00:00+09:00`).toISOString();

function filterAudit<T extends object>(qb: SelectQueryBuilder<T>, q: AuditFilters): SelectQueryBuilder<T> {
  if (q.engagementId) qb.andWhere('a.engagement_id = :engagementId', { engagementId: q.engagementId });
  if (q.actorId) qb.andWhere('a.actor_id = :actorId', { actorId: q.actorId });
  if (q.action) qb.andWhere('a.action = :action', { action: q.action });
  if (q.from) qb.andWhere('a.occurred_at >= :from', { from: jstDayStart(q.from) });
  if (q.to) qb.andWhere('a.occurred_at < :to', { to: new Date(Date.parse(jstDayStart(q.to)) + 86_400_000).toISOString() });
  return qb;
}
