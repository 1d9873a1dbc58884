import { canonicalJson, sha256Hex } from '../common/canonical-json';

/** prev_hash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

export { canonicalJson };

/** The fields of an event that its hash covers: all of them but the hash itself. */
export interface HashedFields {
  id: string;
  seq: number;
  occurredAt: string;
  actorId: string | null;
  actorRole: string;
  action: string;
  targetType: string;
  targetId: string | null;
  engagementId: string | null;
  /** The stored details text, byte for byte. */
  details: string;
  prevHash: string;
}

/** Hex SHA-256 of the canonical JSON of the event's fields, prev_hash included: the link of the chain. */
export function eventHash(f: HashedFields): string {
  const fields: HashedFields = {
    id: f.id,
    seq: f.seq,
    occurredAt: f.occurredAt,
    actorId: f.actorId,
    actorRole: f.actorRole,
    action: f.action,
    targetType: f.targetType,
    targetId: f.targetId,
    engagementId: f.engagementId,
    details: f.details,
    prevHash: f.prevHash,
  };
  return sha256Hex(canonicalJson(fields));
}
