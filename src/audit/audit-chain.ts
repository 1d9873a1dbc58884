import { DataSource } from 'typeorm';
import { eventHash, GENESIS_HASH } from './audit-hash';

export type ChainReport = { ok: true; count: number } | { ok: false; count: number; brokenAt: number; reason: string };

const BATCH = 1000;

/**
 * Walks every audit event in seq order and recomputes each hash and link.
 * Reads the raw stored text (no entity transformers), so what is checked is
 * exactly what is in the table. `count`: events found intact (before the break, if any).
 * Plain function over a DataSource, so the CLI runs it without Nest.
 */
export async function verifyAuditChain(ds: DataSource): Promise<ChainReport> {
  let prevSeq = 0;
  let prevHash = GENESIS_HASH;
  let count = 0;
  for (;;) {
    const rows = await ds
      .createQueryBuilder()
      .select('a.id', 'id')
      .addSelect('a.seq', 'seq')
      .addSelect('a.occurred_at', 'occurredAt')
      .addSelect('a.actor_id', 'actorId')
      .addSelect('a.actor_role', 'actorRole')
      .addSelect('a.action', 'action')
      .addSelect('a.target_type', 'targetType')
      .addSelect('a.target_id', 'targetId')
      .addSelect('a.engagement_id', 'engagementId')
      .addSelect('a.details', 'details')
      .addSelect('a.prev_hash', 'prevHash')
      .addSelect('a.hash', 'hash')
      .from('audit_events', 'a')
      .where('a.seq > :after', { after: prevSeq })
      .orderBy('a.seq', 'ASC')
      .limit(BATCH)
      .getRawMany<Record<string, string | number | null>>();
    for (const r of rows) {
      const seq = Number(r.seq);
      const broken = (reason: string): ChainReport => ({ ok: false, count, brokenAt: seq, reason });
      if (seq !== prevSeq + 1)
        return broken(
          prevSeq
            ? `expected event #${prevSeq + 1} after #${prevSeq}, found #${seq} (events missing)`
            : `the chain starts at #${seq}, not #1`,
        );
      const computed = eventHash({
        id: String(r.id),
        seq,
        occurredAt: String(r.occurredAt),
        actorId: r.actorId === null ? null : String(r.actorId),
        actorRole: String(r.actorRole),
        action: String(r.action),
        targetType: String(r.targetType),
        targetId: r.targetId === null ? null : String(r.targetId),
        engagementId: r.engagementId === null ? null : String(r.engagementId),
        details: String(r.details),
        prevHash: String(r.prevHash),
      });
      if (computed !== r.hash) return broken('the stored hash does not match the event (the event was altered)');
      if (r.prevHash !== prevHash)
        return broken(
          prevSeq ? `prev_hash does not match the hash of event #${prevSeq}` : 'prev_hash of the first event is not the genesis value',
        );
      prevSeq = seq;
      prevHash = String(r.hash);
      count++;
    }
    if (rows.length < BATCH) return { ok: true, count };
  }
}
