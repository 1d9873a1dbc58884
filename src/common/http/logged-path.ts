/*
 * The path the access log writes for a request. A path can carry what a
 * person typed (a serial box filled with an e-mail address, a name pasted into
 * the address bar), and personal data never goes into logs. So the log writes
 * the route's pattern, with each parameter's value only when it has the shape
 * of an identifier we issue, and the query string never.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A canonical certificate serial, XXXX-XXXX-XXXX-C (credential/serial.ts). */
const SERIAL = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$/;
/** Content module ids (`personal-information`), language codes, status list ids. */
const SLUG = /^[a-z0-9]{1,32}(-[a-z0-9]{1,32}){0,4}$/;
/** A static asset's file path under /assets/. */
const ASSET = /^[A-Za-z0-9_-]{1,64}(\/[A-Za-z0-9_-]{1,64})*\.[a-z0-9]{1,8}$/;

/** Does a parameter's value look like one of our identifiers (and so hold nothing typed by a person)? */
function isIdentifier(name: string, value: string): boolean {
  if (name === 'serial') return SERIAL.test(value);
  if (name === '*') return ASSET.test(value);
  return UUID.test(value) || SERIAL.test(value) || SLUG.test(value);
}

export interface LoggableRequest {
  url: string;
  routeOptions?: { url?: string };
  params?: unknown;
}

/**
 * `/verify/:serial` → `/verify/ABCD-EFGH-JKMN-P` for a canonical serial, else
 * `/verify/:serial`; `/api/v1/organizations/<uuid>/workers` as it is. A
 * request no route matched is logged as its first segment (when it is a plain word) and `/…`.
 */
export function loggedPath(req: LoggableRequest): string {
  const pattern = req.routeOptions?.url;
  const params = (req.params ?? {}) as Record<string, unknown>;
  if (!pattern) {
    const segments = req.url.split('?')[0].split('/').filter(Boolean);
    if (!segments.length) return '/';
    return (SLUG.test(segments[0]) ? `/${segments[0]}` : '/…') + (segments.length > 1 ? '/…' : '');
  }
  return pattern.replace(/:([A-Za-z0-9_]+)|\*$/g, (whole: string, name: string | undefined) => {
    const key = name ?? '*';
    const value = params[key];
    return typeof value === 'string' && isIdentifier(key, value) ? value : whole;
  });
}
