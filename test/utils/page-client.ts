import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export interface PageRes {
  status: number;
  text: string;
  headers: Record<string, string | string[] | number | undefined>;
  location?: string;
}

/**
 * A browser in miniature over Fastify's inject: keeps cookies, asks for
 * HTML, posts forms urlencoded, and can read a page's CSRF token, so page
 * tests walk the site the way a person does.
 */
export function pageClient(app: NestFastifyApplication) {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (setCookie: string | string[] | number | undefined) => {
    for (const c of ([] as (string | number)[]).concat(setCookie ?? []).map(String)) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || attrs.some((a) => /^\s*max-age=0\b/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  };
  const request = async (
    method: 'GET' | 'POST',
    url: string,
    payload?: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<PageRes> => {
    const r = await app.inject({
      method,
      url,
      headers: { accept: 'text/html,application/xhtml+xml', ...(jar.size ? { cookie: cookieHeader() } : {}), ...headers },
      ...(payload !== undefined ? { payload } : {}),
    });
    remember(r.headers['set-cookie']);
    return {
      status: r.statusCode,
      text: r.body,
      headers: r.headers as PageRes['headers'],
      location: r.headers.location as string | undefined,
    };
  };
  const client = {
    jar,
    get: (url: string, headers?: Record<string, string>) => request('GET', url, undefined, headers),
    /** Posts a form; `_csrf` is added from the given page unless the fields carry their own. */
    post: (url: string, fields: Record<string, string | string[]>, headers?: Record<string, string>) => {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(fields)) for (const one of ([] as string[]).concat(v)) body.append(k, one);
      return request('POST', url, body.toString(), { 'content-type': 'application/x-www-form-urlencoded', ...headers });
    },
    raw: request,
    /** GETs the page and posts the form with its CSRF token. */
    async submit(pageUrl: string, action: string, fields: Record<string, string | string[]>) {
      const page = await client.get(pageUrl);
      return client.post(action, { _csrf: csrfOf(page.text), ...fields });
    },
  };
  return client;
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token in the page');
  return m[1];
}

export type PageClient = ReturnType<typeof pageClient>;

/**
 * A page client signed in through the sign-in form, as a browser signs in.
 * @throws Error when the sign-in is not answered with its redirect (303)
 */
export async function signedIn(app: NestFastifyApplication, email: string, password: string): Promise<PageClient> {
  const b = pageClient(app);
  const r = await b.submit('/', '/login', { email, password });
  if (r.status !== 303) throw new Error(`sign-in ${email}: ${r.status}`);
  return b;
}

/** The error summary's items of a page (`href` the field it links to, `text` the message), or null when it has none. */
export function errorSummaryOf(html: string): { href: string | null; text: string }[] | null {
  const start = html.indexOf('class="error-summary"');
  if (start < 0) return null;
  const box = html.slice(start, html.indexOf('</div>', start));
  return [...box.matchAll(/<li>(?:<a href="(#[^"]+)">)?([^<]*)/g)].map((m) => ({ href: m[1] ?? null, text: m[2] }));
}
