import { MigrationInterface, QueryRunner } from 'typeorm';
import { DATA_KEYS } from '../../common/crypto/field-cipher';
import { portableSql } from '../portable-sql';

/**
 * フリガナ is personal data like the name (issue 22, docs/data-protection.md): `workers.furigana`
 * (added by 1766200000000) is encrypted at rest; PostgreSQL's varchar(200) becomes `text` (a
 * ciphertext is longer), and any value written in the clear meanwhile is encrypted. Its timestamp
 * follows 1766200000000, which it changes.
 */
export class EncryptedFurigana1766200000001 implements MigrationInterface {
  name = 'EncryptedFurigana1766200000001';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'postgres') await q.query('ALTER TABLE workers ALTER COLUMN furigana TYPE text');
    const rows = (await q.query('SELECT id, furigana FROM workers WHERE furigana IS NOT NULL')) as { id: string; furigana: string }[];
    for (const r of rows)
      if (!r.furigana.startsWith('v1.'))
        await q.query(portableSql(q.connection, 'UPDATE workers SET furigana = ? WHERE id = ?'), [
          DATA_KEYS.encrypt(r.furigana, 'workers.furigana'),
          r.id,
        ]);
  }

  async down(q: QueryRunner): Promise<void> {
    const rows = (await q.query('SELECT id, furigana FROM workers WHERE furigana IS NOT NULL')) as { id: string; furigana: string }[];
    for (const r of rows)
      await q.query(portableSql(q.connection, 'UPDATE workers SET furigana = ? WHERE id = ?'), [
        DATA_KEYS.decrypt(r.furigana, 'workers.furigana'),
        r.id,
      ]);
  }
}
