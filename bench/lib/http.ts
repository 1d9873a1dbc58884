import { Agent, request as httpRequest } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

export interface Timed {
  status: number;
  headers: import('node:http').IncomingHttpHeaders;
  body: Buffer;
  /** From sending the request to the first byte of the body. */
  firstByteMs: number;
  /** From sending the request to the last byte of the answer. */
  ms: number;
}

/** One request over a kept-alive connection, timed to the last byte of the body. */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Timed> {
  return new Promise((ok, fail) => {
    const started = process.hrtime.bigint();
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent, timeout: 120_000 }, (res) => {
      const chunks: Buffer[] = [];
      let firstByteMs = NaN;
      const since = () => Number(process.hrtime.bigint() - started) / 1e6;
      res.on('data', (c: Buffer) => {
        if (!chunks.length) firstByteMs = since();
        chunks.push(c);
      });
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: since(), firstByteMs }));
      res.on('error', fail);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', fail);
    req.end(options.body);
  });
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
