/*
 * What the two bare baselines (server.ts on SQLite, pg-server.ts on
 * PostgreSQL) share: the answer's headers, the error type, the quiz draw and
 * the public facts' JSON; the quiz draw is the service's own (src/training/draw.ts). Not a framework: the few lines each would
 * otherwise repeat.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { securityHeaders } from '../../src/common/http/security-headers';
import { draw } from '../../src/training/draw';

export const DAY = 86400_000;
/** A version-4-style UUID (the ids the service issues). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** An answer other than 200, with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The same security headers as the service's answers (helmet's, decided once): the same answer, headers included. */
export const SECURITY_HEADERS = securityHeaders({ https: false });

/** Writes a whole answer: `extra` headers, the media type, length, a request id and the security headers. */
export function send(
  res: ServerResponse,
  status: number,
  body: string,
  type = 'application/json; charset=utf-8',
  extra: Record<string, string> = {},
) {
  res.writeHead(status, {
    ...extra,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'x-request-id': randomUUID(),
    ...SECURITY_HEADERS,
  });
  res.end(body);
}

/** The public verification's JSON from the certificate's row (the same fields, in the same order, as the service's). */
export function publicFactsBody(c: Record<string, string>): string {
  const status = c.status === 'valid' && c.valid_until <= new Date().toISOString() ? 'expired' : c.status;
  return JSON.stringify({
    serial: c.serial,
    status,
    validFrom: c.valid_from,
    validUntil: c.valid_until,
    revokedAt: c.revoked_at,
    engagement: { title: c.engagement_title, municipality: c.municipality_name },
    organization: { name: c.organization_name },
    holder: { maskedName: c.holder_masked_name },
  });
}

export { draw };
export type Drawn = ReturnType<typeof draw>[number];
