import { createHash } from 'node:crypto';
import { median, request } from '../lib/http';

export interface DocumentResult {
  /** Median over the timed runs, ms to the last byte. */
  ms: number;
  /** Median ms to the first byte of the body (a streamed document starts at once). */
  firstByteMs: number;
  runs: number[];
  bytes: number;
  /** Lines of the first answer (CSV: the header and one line per worker). */
  lines: number;
  digest: string | null;
}

/**
 * A large document fetched whole (the progress CSV, the Article 11 report
 * as JSON or as the printable page): `runs` timed requests per side, the
 * service and the baseline alternating. No unmeasured request first: each
 * takes seconds, far longer than the JIT needs to warm up.
 */
export async function timeDocuments(urls: string[], headers: Record<string, string>, runs: number): Promise<DocumentResult[]> {
  const get = async (url: string) => {
    const r = await request(url, { headers });
    if (r.status !== 200) throw new Error(`${url}: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
    return r;
  };
  const first: Awaited<ReturnType<typeof get>>[] = [];
  const times = urls.map(() => [] as number[]);
  const firstBytes = urls.map(() => [] as number[]);
  for (let i = 0; i < runs; i++)
    for (const [k, url] of urls.entries()) {
      const r = await get(url);
      first[k] ??= r;
      times[k].push(r.ms);
      firstBytes[k].push(r.firstByteMs);
    }
  return urls.map((_, k) => {
    const body = first[k].body;
    let lines = 0;
    for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) lines++;
    return {
      ms: median(times[k]),
      firstByteMs: median(firstBytes[k]),
      runs: times[k],
      bytes: body.length,
      lines,
      digest: createHash('sha256').update(body).digest('hex').slice(0, 16),
    };
  });
}
