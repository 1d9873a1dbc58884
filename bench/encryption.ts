/*
 * `npm run bench:encryption` — what field encryption at rest costs
 * (docs/data-protection.md), measured on its own: the same statements on two
 * SQLite tables of the same shape, one with the personal columns in the clear
 * and found by `email`, one as the service stores them (AES-256-GCM values, a
 * blind index, found by `email_index`). Three workloads, each the median of 7:
 *
 *   sign-in lookup   1,000 look-ups of an account by e-mail (normalise, HMAC, read, decrypt name and address)
 *   import 1,000     1,000 new workers in one transaction (encrypt name, address, employee number; HMAC)
 *   list 10,000      read 10,000 workers' names and sort them (decrypt each first: cold, then with the cache warm)
 *
 * Prints a table; exits 0. Not part of `npm run bench` (which compares the service with a baseline).
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { dataKey, DataKeyRing } from '../src/common/crypto/field-cipher';
import { normalizeEmail } from '../src/common/input/normalize';

const RUNS = 7;
const key = dataKey(randomBytes(32));
const ring = new DataKeyRing();
ring.add([], key);
const dir = mkdtempSync(join(tmpdir(), 'a4-bench-enc-'));
const db = new Database(join(dir, 'enc.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`
  CREATE TABLE plain (id TEXT PRIMARY KEY, name TEXT, email TEXT UNIQUE, employee_number TEXT);
  CREATE TABLE sealed (id TEXT PRIMARY KEY, name TEXT, email TEXT, email_index TEXT UNIQUE, employee_number TEXT);
`);

const FAMILY = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤'];
const GIVEN = ['太郎', '花子', '一郎', '美咲', '健太', '陽菜', '翔', 'さくら', '大輔', '結衣'];
const person = (i: number) => ({
  id: `w-${i}`,
  name: `${FAMILY[i % 10]}\u3000${GIVEN[(i * 7) % 10]}${i}`,
  email: `worker${i}@bench.example.jp`,
  employeeNumber: `E${String(i).padStart(6, '0')}`,
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
function time(work: () => void): number {
  const samples: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    work();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

const insPlain = db.prepare('INSERT INTO plain (id, name, email, employee_number) VALUES (?, ?, ?, ?)');
const insSealed = db.prepare('INSERT INTO sealed (id, name, email, email_index, employee_number) VALUES (?, ?, ?, ?, ?)');
let batch = 0;
const importPlain = () => {
  const b = ++batch;
  db.transaction(() => {
    for (let i = 0; i < 1000; i++) {
      const p = person(b * 1_000_000 + i);
      insPlain.run(p.id, p.name, String(normalizeEmail(p.email)), p.employeeNumber);
    }
  })();
};
const importSealed = () => {
  const b = ++batch;
  db.transaction(() => {
    for (let i = 0; i < 1000; i++) {
      const p = person(b * 1_000_000 + i);
      const email = String(normalizeEmail(p.email));
      insSealed.run(
        p.id,
        ring.encrypt(p.name, 'workers.name'),
        ring.encrypt(email, 'workers.email'),
        ring.blindIndex(email),
        ring.encrypt(p.employeeNumber, 'workers.employee_number'),
      );
    }
  })();
};

// 10,000 rows in each table for the look-ups and the list.
db.transaction(() => {
  for (let i = 0; i < 10_000; i++) {
    const p = person(i);
    insPlain.run(p.id, p.name, p.email, p.employeeNumber);
    insSealed.run(
      p.id,
      ring.encrypt(p.name, 'workers.name'),
      ring.encrypt(p.email, 'workers.email'),
      ring.blindIndex(p.email),
      ring.encrypt(p.employeeNumber, 'workers.employee_number'),
    );
  }
})();

const byEmail = db.prepare('SELECT id, name, email FROM plain WHERE email = ?');
const byIndex = db.prepare('SELECT id, name, email FROM sealed WHERE email_index = ?');
const signInPlain = () => {
  for (let i = 0; i < 1000; i++) {
    const row = byEmail.get(String(normalizeEmail(` Worker${i * 7}@bench.example.jp`))) as { name: string } | undefined;
    if (!row) throw new Error('not found');
  }
};
const signInSealed = () => {
  const r = new DataKeyRing(); // cold: each sign-in decrypts once
  r.add([], key);
  for (let i = 0; i < 1000; i++) {
    const row = byIndex.get(ring.blindIndex(String(normalizeEmail(` Worker${i * 7}@bench.example.jp`)))) as
      { name: string; email: string } | undefined;
    if (!row) throw new Error('not found');
    r.decrypt(row.name, 'workers.name');
    r.decrypt(row.email, 'workers.email');
  }
};
const cmp = (a: { name: string; id: string }, b: { name: string; id: string }) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1;
const listPlain = () => {
  const rows = db.prepare('SELECT id, name FROM plain ORDER BY name, id LIMIT 10000').all() as { id: string; name: string }[];
  if (rows.length !== 10_000) throw new Error('short list');
};
/** `cold`: a fresh key ring, as the first request after a start (nothing decrypted yet); else the ring's cache is warm. */
const listSealed = (cold: boolean) => () => {
  const r = cold ? new DataKeyRing() : ring;
  if (cold) r.add([], key);
  const rows = (db.prepare('SELECT id, name FROM sealed LIMIT 10000').all() as { id: string; name: string }[]).map((x) => ({
    id: x.id,
    name: r.decrypt(x.name, 'workers.name'),
  }));
  rows.sort(cmp);
};

const rows = [
  ['sign-in lookup, 1,000 accounts', time(signInPlain), time(signInSealed)],
  ['CSV import, 1,000 new workers (one transaction)', time(importPlain), time(importSealed)],
  ['list sorted by name, 10,000 workers, first request (nothing cached)', time(listPlain), time(listSealed(true))],
  ['list sorted by name, 10,000 workers, again (decrypted names cached)', time(listPlain), time(listSealed(false))],
] as const;
db.close();
rmSync(dir, { recursive: true, force: true });

console.log('| workload | plain | encrypted | cost |');
console.log('|---|---|---|---|');
for (const [name, plain, sealed] of rows)
  console.log(
    `| ${name} | ${plain.toFixed(1)} ms | ${sealed.toFixed(1)} ms | +${(sealed - plain).toFixed(1)} ms (${(sealed / plain).toFixed(2)}×) |`,
  );
