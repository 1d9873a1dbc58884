import { randomUUID } from 'node:crypto';
import { KeptStandings, type SortKey } from './kept-standings';
import type { WorkerSummary } from './tracking-data';
import { WORKER_STATUSES } from './worker-status';

const ORGS = ['org-b', 'org-a', '6f1c2a8e-0000-4000-8000-000000000001'];
const NAMES = ['山田 太郎', 'ﾔﾏﾀﾞ ﾀﾛｳ', 'Yamada Taro', '佐藤 花子'];

/** A summary of every shape the pass hands on: statuses, overdue, with and without a certificate. */
function summary(i: number): WorkerSummary {
  const certified = i % 3 !== 0;
  return {
    // Mostly UUIDs as the service makes them; some ids of another form (kept as strings).
    id: i % 7 === 0 ? `worker-${i}` : randomUUID(),
    name: NAMES[i % NAMES.length],
    organizationId: ORGS[i % ORGS.length],
    status: WORKER_STATUSES[i % WORKER_STATUSES.length],
    overdue: i % 2 === 0,
    certificate: certified
      ? {
          serial: `S${String(i).padStart(4, '0')}-ABCD-EFGH-J`,
          status: i % 5 === 0 ? 'revoked' : 'valid',
          // Stored instants are toISOString(); one that is not stays as it was.
          validUntil: i % 11 === 0 ? '2027-03-31' : new Date(Date.UTC(2027, 0, 1) + i * 86_400_000).toISOString(),
        }
      : null,
  };
}

const treeOrder = (rank: Map<string, number>) => (a: SortKey, b: SortKey) =>
  rank.get(a.organizationId)! - rank.get(b.organizationId)! ||
  (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe('KeptStandings (issue 17: an export’s standings in columns)', () => {
  it('gives back every summary equal to the one added, in the order added before a sort', () => {
    const added = Array.from({ length: 3000 }, (_, i) => summary(i));
    const kept = new KeptStandings();
    for (const w of added) kept.add(w);
    expect(kept.length).toBe(3000);
    expect(kept.page(0, 3000)).toEqual(added);
    expect(kept.page(2900, 3200)).toEqual(added.slice(2900));
    expect([...kept]).toEqual(added);
  });

  it('sorts by the comparator it is given, which sees each id, name and organization (the tree order here)', () => {
    const added = Array.from({ length: 2500 }, (_, i) => summary(i));
    const rank = new Map(ORGS.map((id, i) => [id, (i + 1) % ORGS.length]));
    const kept = new KeptStandings();
    for (const w of added) kept.add(w);
    kept.sort(treeOrder(rank));
    const expected = [...added].sort(treeOrder(rank));
    expect(kept.page(0, 200)).toEqual(expected.slice(0, 200));
    expect([...kept]).toEqual(expected);
  });

  it('holds nothing for an engagement without kept workers', () => {
    const kept = new KeptStandings();
    kept.sort(treeOrder(new Map()));
    expect(kept.length).toBe(0);
    expect(kept.page(0, 200)).toEqual([]);
    expect([...kept]).toEqual([]);
  });
});
