import { median, request } from '../lib/http';

export interface ImportResult {
  /** Rows per second, from the median import time. */
  rowsPerSecond: number;
  ms: number;
  runs: number[];
}

/**
 * Imports the same CSV into fresh organizations (each with its own
 * manager's session), the service and the baseline alternating: the first
 * import per side is unmeasured, the rest timed. Every row must be created.
 */
export async function timeImports(
  sides: { url: string; targets: { orgId: string; token: string }[] }[],
  csv: Buffer,
  rows: number,
): Promise<ImportResult[]> {
  const times = sides.map(() => [] as number[]);
  const runs = Math.min(...sides.map((s) => s.targets.length));
  for (let i = 0; i < runs; i++)
    for (const [k, side] of sides.entries()) {
      const t = side.targets[i];
      const r = await request(`${side.url}/api/v1/organizations/${t.orgId}/workers/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'text/csv' },
        body: csv,
      });
      const body = r.body.toString('utf8');
      if (r.status !== 200) throw new Error(`import: ${r.status} ${body.slice(0, 300)}`);
      const created = (JSON.parse(body) as { created: number }).created;
      if (created !== rows) throw new Error(`import created ${created} of ${rows} rows: ${body.slice(0, 300)}`);
      if (i > 0) times[k].push(r.ms);
    }
  return times.map((t) => {
    const ms = median(t);
    return { rowsPerSecond: rows / (ms / 1000), ms, runs: t };
  });
}
