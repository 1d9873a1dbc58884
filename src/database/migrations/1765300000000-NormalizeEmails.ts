import { MigrationInterface, QueryRunner } from 'typeorm';
import { portableSql } from '../portable-sql';

/*
 * The e-mail normaliser as it was when this migration was written
 * (src/common/input/normalize.ts, normalizeEmail), copied so that the
 * migration does tomorrow what it does today.
 */
const normalize = (email: string): string => {
  const s = email.normalize('NFKC').trim();
  const at = s.lastIndexOf('@');
  return (at < 0 ? s : `${s.slice(0, at)}@${s.slice(at + 1).replace(/[\u3002\uff0e\uff61]/g, '.')}`).toLowerCase();
};

/**
 * Brings the addresses stored before issue 15 to the one e-mail normaliser
 * now applied wherever an address enters (sign-in included): accounts created
 * through the API were only trimmed and lower-cased, not NFKC. An address
 * whose normal form another row of the same scope already has (users: all;
 * workers: one organization) is left as it is rather than merged; it can
 * still be found by an administrator. Data only: nothing to undo.
 */
export class NormalizeEmails1765300000000 implements MigrationInterface {
  name = 'NormalizeEmails1765300000000';

  async up(q: QueryRunner): Promise<void> {
    const sql = (s: string) => portableSql(q.connection, s);
    const users = (await q.query('SELECT id, email FROM users')) as { id: string; email: string }[];
    const taken = new Set(users.map((u) => u.email));
    for (const u of users) {
      const email = normalize(u.email);
      if (email === u.email || taken.has(email)) continue;
      await q.query(sql('UPDATE users SET email = ? WHERE id = ?'), [email, u.id]);
      taken.add(email);
    }
    const workers = (await q.query('SELECT id, organization_id AS org, email FROM workers')) as {
      id: string;
      org: string;
      email: string;
    }[];
    const inOrg = new Set(workers.map((w) => `${w.org} ${w.email}`));
    for (const w of workers) {
      const email = normalize(w.email);
      if (email === w.email || inOrg.has(`${w.org} ${email}`)) continue;
      await q.query(sql('UPDATE workers SET email = ? WHERE id = ?'), [email, w.id]);
      inOrg.add(`${w.org} ${email}`);
    }
  }

  async down(): Promise<void> {
    // The old spellings are not kept; the normal forms are valid addresses for the old code too.
  }
}
