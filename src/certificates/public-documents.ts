import { negotiate } from '@fastify/accept-negotiator';
import { type CacheableDocument, STATUS_TTL_SECONDS } from '../common/http/conditional';
import type { FrontRoute } from '../common/http/public-front';
import { type CertificatesService, type PublicCertificateFacts, seesHolder } from './certificates.service';
import { JWT_MEDIA_TYPE, VC_JWT_MEDIA_TYPE } from './credential/jws';
import { publicFactsJson } from './public-facts-json';

/*
 * What each public document is and how long a cache may keep it
 * (docs/caching.md), in one place: the controllers (the full pipeline) and
 * the public front (src/common/http/public-front.ts) answer with these, so a
 * document is the same bytes with the same headers whichever path served it.
 */

/** How long a verifier may reuse the JWKS before asking again (with its ETag): a rotation is seen within this time. */
export const JWKS_MAX_AGE_SECONDS = 300;

/** The format the Accept header asks for: the OB 3.0 JWT form only when it prefers `application/jwt`; VC-JOSE otherwise. */
export function formatFromAccept(accept: string | undefined): 'vc' | 'jwt' {
  return accept && negotiate(accept, [VC_JWT_MEDIA_TYPE, JWT_MEDIA_TYPE]) === JWT_MEDIA_TYPE ? 'jwt' : 'vc';
}

/**
 * The signed-out verification (`GET /api/v1/certificates/:serial`): exactly
 * what /verify shows. Its status may change (revocation, expiry): reusable
 * for the status list's time to live, then revalidated by ETag. The answer
 * to a signed-in caller differs (the holder's view), so a shared cache keeps
 * them apart by `Authorization` and `Cookie`.
 */
export function verificationDocument(f: PublicCertificateFacts): CacheableDocument {
  return {
    body: publicFactsJson(f),
    type: 'application/json; charset=utf-8',
    cacheControl: `public, max-age=${STATUS_TTL_SECONDS}`,
    vary: 'Authorization, Cookie',
  };
}

/**
 * The public form of a signed credential (`…/credential`, VC-JOSE or the
 * OB 3.0 JWT by `Accept`). It never changes once issued (its status lives in
 * the status list): cacheable for a year, `immutable` (RFC 8246).
 */
export function credentialDocument(jws: string, format: 'vc' | 'jwt'): CacheableDocument {
  return {
    body: jws,
    type: format === 'jwt' ? JWT_MEDIA_TYPE : VC_JWT_MEDIA_TYPE,
    cacheControl: 'public, max-age=31536000, immutable',
    vary: 'Accept',
  };
}

/** A signed status list (`/api/v1/status-lists/:id`): its bits change with revocations; reused for its `ttl`, then revalidated. */
export function statusListDocument(jws: string): CacheableDocument {
  return { body: jws, type: VC_JWT_MEDIA_TYPE, cacheControl: `public, max-age=${STATUS_TTL_SECONDS}` };
}

/**
 * The JWKS (`/.well-known/jwks.json`): every signing key ever used, so
 * credentials signed before a rotation still verify. A rotation adds a key,
 * hence a new ETag: a verifier sees it within JWKS_MAX_AGE_SECONDS.
 */
export function jwksDocument(jwks: unknown): CacheableDocument {
  return { body: JSON.stringify(jwks), type: 'application/json; charset=utf-8', cacheControl: `public, max-age=${JWKS_MAX_AGE_SECONDS}` };
}

/** A serial as typed in a path (the service reads look-alikes and lower case too); anything else goes to the pipeline. */
const SERIAL_SEGMENT = '([0-9A-Za-z-]{1,32})';

/**
 * The public front's routes (src/common/http/public-front.ts): the signed-out
 * GETs of the documents above, answered from the same service calls the
 * controllers make. Whatever these do not answer (an error, a holder's view)
 * goes on to the controllers.
 */
export function publicFrontRoutes(certificates: CertificatesService): FrontRoute[] {
  return [
    {
      pattern: '/api/v1/certificates/:serial',
      path: new RegExp(`^/api/v1/certificates/${SERIAL_SEGMENT}$`),
      param: 'serial',
      answer: async (serial) => {
        const f = await certificates.facts(serial);
        return seesHolder(f) ? undefined : verificationDocument(f);
      },
    },
    {
      pattern: '/api/v1/certificates/:serial/credential',
      path: new RegExp(`^/api/v1/certificates/${SERIAL_SEGMENT}/credential$`),
      param: 'serial',
      answer: async (serial, req) => {
        const doc = await certificates.credential(serial, { form: 'public', format: formatFromAccept(req.headers.accept) });
        return credentialDocument(doc.jws, doc.format);
      },
    },
    {
      pattern: '/api/v1/status-lists/:id',
      path: /^\/api\/v1\/status-lists\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
      param: 'id',
      answer: async (id) => statusListDocument(await certificates.statusListJws(id)),
    },
    {
      pattern: '/.well-known/jwks.json',
      path: /^\/\.well-known\/jwks\.json$/,
      answer: async () => jwksDocument(await certificates.jwks()),
    },
  ];
}
