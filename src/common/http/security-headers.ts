import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Our pages run no inline script or style, load nothing from elsewhere, and may not be framed. */
const CSP = {
  defaultSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  styleSrc: ["'self'"],
  scriptSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
};
/** Swagger UI (/api/docs) styles itself inline; everything else as strict as our pages. */
const SWAGGER_CSP = { ...CSP, styleSrc: ["'self'", "'unsafe-inline'"] };

/**
 * The security headers of every answer, as helmet sets them: CSP with
 * frame-ancestors and X-Frame-Options, Referrer-Policy, nosniff, the
 * cross-origin policies, and HSTS when the service is reached over https
 * (`https`; RFC 6797). `swaggerUi` relaxes the CSP for Swagger UI's inline
 * styles. Lower-case names → values.
 *
 * helmet decides, once: with these options its headers depend on nothing in
 * the request (no nonces), so running its middleware on every request (as
 * @fastify/helmet did, building it anew each time, which the profile of the
 * public lookups showed: README, Performance) computed the same set again
 * and again. It runs here once against a recording response.
 * @throws Error if helmet does not finish synchronously (options that need the request, which these never are)
 */
export function securityHeaders(opts: { https: boolean; swaggerUi?: boolean }): Record<string, string> {
  const middleware = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: opts.swaggerUi ? SWAGGER_CSP : CSP },
    // The service does not know its sibling hosts, so no includeSubDomains.
    strictTransportSecurity: opts.https ? { maxAge: 31536000, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
  });
  const headers: Record<string, string> = {};
  let finished = false;
  const recorder = {
    setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: () => undefined,
  };
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, () => (finished = true));
  if (!finished) throw new Error('helmet did not set its headers synchronously');
  return headers;
}
