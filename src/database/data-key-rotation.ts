import { DataSource } from 'typeorm';
import { DATA_KEYS, DataKeyRing } from '../common/crypto/field-cipher';
import { normalizeEmail } from '../common/input/normalize';
import { ENCRYPTED_COLUMNS } from './columns';
import { portableSql } from './portable-sql';

/** The blind index written with each encrypted address column. */
const INDEX_OF: Record<string, string> = {
  'users.email': 'email_index',
  'workers.email': 'email_index',
  'mail_outbox.recipient': 'recipient_index',
};

/** The row key of the tables not keyed by `id`. */
const KEY_OF: Record<string, string> = {
  certificate_credentials: `serial || ':' || form`,
  engagement_archives: 'engagement_id',
};

export interface RotationProgress {
  /** `<table>.<column>` */
  column: string;
  /** Values re-encrypted under the current key in this run. */
  reencrypted: number;
  /** Values already under the current key. */
  current: number;
}

/**
 * Re-encrypts every encrypted value not under the current data key (and its
 * blind index), in batches of `batch` rows, each batch its own statements:
 * stopping at any point loses nothing, and running again (`--resume`) carries
 * on with what is left, since a value under the current key is skipped. Old
 * keys must stay loaded until it has finished; values written meanwhile by
 * instances still on the old key are caught by a later run. Each row is
 * updated only if its value is still the one read (`WHERE … AND col = old`),
 * so a concurrent change by the service is never overwritten.
 * docs/data-protection.md, "Rotation".
 */
export async function rotateDataKeys(
  ds: DataSource,
  { batch = 500, onProgress }: { batch?: number; onProgress?: (p: RotationProgress) => void } = {},
): Promise<RotationProgress[]> {
  const current = DATA_KEYS.current().kid;
  const sql = (s: string) => portableSql(ds, s);
  const out: RotationProgress[] = [];
  const columns = [...ENCRYPTED_COLUMNS].sort();
  for (const context of [...columns, 'certificate_credentials.jws']) {
    const [table, column] = context.split('.');
    const credentials = table === 'certificate_credentials';
    // certificate_credentials is keyed by (serial, form), and only the holder's forms are encrypted.
    const key = KEY_OF[table] ?? 'id';
    const where = credentials ? "form LIKE 'holder.%'" : `${column} IS NOT NULL`;
    const progress: RotationProgress = { column: context, reencrypted: 0, current: 0 };
    let after = '';
    for (;;) {
      const rows = (await ds.query(
        sql(`SELECT ${key} AS k, ${column} AS v FROM ${table} WHERE ${where} AND ${key} > ? ORDER BY ${key} LIMIT ${batch}`),
        [after],
      )) as { k: string; v: string }[];
      for (const r of rows) {
        if (DataKeyRing.kidOf(r.v) === current) {
          progress.current++;
          continue;
        }
        const plain = DATA_KEYS.decrypt(r.v, context);
        const value = DATA_KEYS.encrypt(plain, context);
        const index = INDEX_OF[context];
        const sets = index ? `${column} = ?, ${index} = ?` : `${column} = ?`;
        const params = index ? [value, DATA_KEYS.blindIndex(String(normalizeEmail(plain)))] : [value];
        await ds.query(sql(`UPDATE ${table} SET ${sets} WHERE ${key} = ? AND ${column} = ?`), [...params, r.k, r.v]);
        progress.reencrypted++;
      }
      if (rows.length < batch) break;
      after = rows[rows.length - 1].k;
    }
    out.push(progress);
    onProgress?.(progress);
  }
  return out;
}
