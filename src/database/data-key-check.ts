import { DataSource } from 'typeorm';
import { DATA_KEYS, DataKeyError, DataKeyRing } from '../common/crypto/field-cipher';

/**
 * Refuses to start when the database holds values under a data key this
 * process does not have: an instance with its own DATA_DIR and no shared
 * DATA_ENCRYPTION_KEY would otherwise write rows the others cannot read (and
 * read none of theirs). Looks at the newest account's address, one row.
 * @throws DataKeyError naming the key id (never the key)
 */
export async function checkDataKeys(ds: DataSource): Promise<void> {
  const [row] = (await ds.query('SELECT email FROM users ORDER BY created_at DESC LIMIT 1')) as { email: string }[];
  const kid = row && DataKeyRing.kidOf(row.email);
  if (kid && !DATA_KEYS.has(kid))
    throw new DataKeyError(
      `the database holds personal data encrypted with data key ${kid}, which is not loaded: every instance needs the same ` +
        'DATA_ENCRYPTION_KEY (or the same key files in DATA_DIR/keys); see docs/data-protection.md',
    );
}
