import autocannon from 'autocannon';
import { median, request } from '../lib/http';
import type { Sizes } from '../lib/sizes';

export interface LoadResult {
  /** Answers of the expected status class per second. */
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failures: number;
}

/** One request of a workload: its path and headers (e.g. `If-None-Match`). */
export interface Lookup {
  path: string;
  headers?: Record<string, string>;
}

/**
 * Public certificate lookups under autocannon, the servers (the service,
 * the baseline, perhaps a second service) in alternating rounds, so a noisy
 * neighbour on a shared machine slows them alike. Every connection walks the (seeded, shuffled) serials, so the
 * index is hit all over, not one hot row. A short unmeasured run per side
 * first warms the JIT and the page cache. `requests[i]` are the requests for
 * `urls[i]` (one list for all when a single list is given); `expect` is the
 * status class that counts as an answer (`3xx` for conditional GETs: 304).
 */
export async function lookupLoad(
  urls: string[],
  requests: Lookup[] | Lookup[][],
  sizes: Sizes,
  expect: '2xx' | '3xx' = '2xx',
): Promise<LoadResult[]> {
  const perUrl = (i: number) => (Array.isArray(requests[0]) ? (requests as Lookup[][])[i] : (requests as Lookup[]));
  let next = 0;
  const run = (i: number, duration: number) => {
    const list = perUrl(i);
    return autocannon({
      url: urls[i],
      connections: sizes.connections,
      duration,
      requests: [
        {
          method: 'GET',
          setupRequest: (req) => {
            const l = list[next++ % list.length];
            return { ...req, path: l.path, headers: { ...req.headers, ...l.headers } };
          },
        },
      ],
    });
  };
  for (const i of urls.keys()) await run(i, sizes.warmupSeconds);
  const acc = urls.map(() => ({ ok: 0, seconds: 0, failures: 0, p50: [] as number[], p99: [] as number[] }));
  for (let round = 0; round < sizes.rounds; round++)
    for (const i of urls.keys()) {
      const r = await run(i, sizes.loadSeconds / sizes.rounds);
      const ok = r[expect];
      acc[i].ok += ok;
      acc[i].seconds += r.duration;
      acc[i].failures += r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'] - ok + r.errors;
      acc[i].p50.push(r.latency.p50);
      acc[i].p99.push(r.latency.p99);
    }
  return acc.map((x) => ({ rps: x.ok / x.seconds, p50: median(x.p50), p99: median(x.p99), requests: x.ok, failures: x.failures }));
}

/** Each path's ETag as `server` sends it: the conditional requests that server answers 304. */
export async function conditionalLookups(server: string, paths: string[]): Promise<Lookup[]> {
  const out: Lookup[] = [];
  for (const path of paths) {
    const r = await request(server + path);
    const etag = r.headers.etag;
    if (r.status !== 200 || typeof etag !== 'string') throw new Error(`${server}${path}: ${r.status}, no ETag`);
    out.push({ path, headers: { 'if-none-match': etag } });
  }
  return out;
}
