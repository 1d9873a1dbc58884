import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
}

/** A tiny client over Fastify's inject: `await http.post('/api/v1/x', body, token)`. */
export function client(app: NestFastifyApplication) {
  const call = async <T = any>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH',
    url: string,
    body?: unknown,
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<Res<T>> => {
    const isRaw = typeof body === 'string' || Buffer.isBuffer(body);
    const r = await app.inject({
      method,
      url,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined && !isRaw ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: isRaw ? (body as string | Buffer) : JSON.stringify(body) }),
    });
    let parsed: any = undefined;
    if ((r.headers['content-type'] ?? '').toString().includes('json')) parsed = r.json();
    return { status: r.statusCode, body: parsed, headers: r.headers as Res['headers'], text: r.body };
  };
  return {
    get: <T = any>(url: string, token?: string, headers?: Record<string, string>) => call<T>('GET', url, undefined, token, headers),
    post: <T = any>(url: string, body?: unknown, token?: string, headers?: Record<string, string>) =>
      call<T>('POST', url, body, token, headers),
    put: <T = any>(url: string, body?: unknown, token?: string, headers?: Record<string, string>) =>
      call<T>('PUT', url, body, token, headers),
    call,
  };
}
export type Client = ReturnType<typeof client>;
