import autocannon from 'autocannon';
import { median } from '../lib/http';
import type { Sizes } from '../lib/sizes';

export interface LoadResult {
  /** Successful answers per second. */
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failures: number;
}

/**
 * Public certificate lookups under autocannon, the servers (the service,
 * the baseline, perhaps a second service) in alternating rounds, so a noisy
 * neighbour on a shared machine slows them alike. Every connection walks the (seeded, shuffled) serials, so the
 * index is hit all over, not one hot row. A short unmeasured run per side
 * first warms the JIT and the page cache.
 */
export async function lookupLoad(urls: string[], paths: string[], sizes: Sizes): Promise<LoadResult[]> {
  let next = 0;
  const run = (url: string, duration: number) =>
    autocannon({
      url,
      connections: sizes.connections,
      duration,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
    });
  for (const url of urls) await run(url, sizes.warmupSeconds);
  const acc = urls.map(() => ({ ok: 0, seconds: 0, failures: 0, p50: [] as number[], p99: [] as number[] }));
  for (let round = 0; round < sizes.rounds; round++)
    for (const [i, url] of urls.entries()) {
      const r = await run(url, sizes.loadSeconds / sizes.rounds);
      acc[i].ok += r['2xx'];
      acc[i].seconds += r.duration;
      acc[i].failures += r.non2xx + r.errors;
      acc[i].p50.push(r.latency.p50);
      acc[i].p99.push(r.latency.p99);
    }
  return acc.map((x) => ({ rps: x.ok / x.seconds, p50: median(x.p50), p99: median(x.p99), requests: x.ok, failures: x.failures }));
}
