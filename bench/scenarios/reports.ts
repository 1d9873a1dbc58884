import { median, request, Timed } from '../lib/http';

export interface ReportResult {
  /** Median over the timed runs, ms to the last byte. */
  ms: number;
  runs: number[];
  bytes: number;
  /** The answer's `totals` / `counts`, to check both sides computed the same thing. */
  summary: Record<string, unknown>;
}

/**
 * One report at a time (a person asking): one unmeasured request per side,
 * then `runs` timed ones, the service and the baseline alternating.
 */
export async function timeReports(urls: string[], token: string, runs: number): Promise<ReportResult[]> {
  const get = async (url: string) => {
    const r = await request(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    if (r.status !== 200) throw new Error(`${url}: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
    return r;
  };
  const first: Timed[] = [];
  for (const url of urls) first.push(await get(url));
  const times = urls.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) for (const [k, url] of urls.entries()) times[k].push((await get(url)).ms);
  return urls.map((_, k) => {
    const body = JSON.parse(first[k].body.toString('utf8')) as { totals?: Record<string, unknown>; counts?: Record<string, unknown> };
    return { ms: median(times[k]), runs: times[k], bytes: first[k].body.length, summary: body.totals ?? body.counts ?? {} };
  });
}
