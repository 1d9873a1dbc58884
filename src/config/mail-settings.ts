import addressparser from 'nodemailer/lib/addressparser';
import { isEmailAddress } from '../common/input/normalize';

/**
 * The query parameters SMTP_URL may carry, as nodemailer reads them from a
 * connection URL (its `parseConnectionUrl`): `requireTLS=true` refuses a
 * relay that does not offer STARTTLS, `ignoreTLS=true` never upgrades (a relay
 * on the same host), `name` is the EHLO name, `tls.servername` the name the
 * certificate is checked against, `tls.rejectUnauthorized=false` accepts a
 * certificate no public CA signed (an internal relay; docs/mail.md says when).
 * Anything else is refused, so a typo is caught at start, not at the first send.
 */
const SMTP_URL_OPTIONS = new Set(['requireTLS', 'ignoreTLS', 'name', 'tls.servername', 'tls.rejectUnauthorized']);

export interface SmtpUrlFacts {
  secure: boolean;
  host: string;
  port: number;
  /** Whether it names a user (the password is never kept apart from the URL). */
  authenticated: boolean;
}

/**
 * SMTP_URL's shape, or null when it is not one: `smtp:` or `smtps:`, a host,
 * an optional port (default 587 for smtp, 465 for smtps), an optional
 * percent-encoded `user:password@`, no path, only the query options above.
 */
export function parseSmtpUrl(value: string): SmtpUrlFacts | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return null;
  if (!url.hostname || (url.pathname && url.pathname !== '/') || url.hash) return null;
  for (const key of url.searchParams.keys()) if (!SMTP_URL_OPTIONS.has(key)) return null;
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    return null;
  }
  const secure = url.protocol === 'smtps:';
  return { secure, host: url.hostname, port: url.port ? Number(url.port) : secure ? 465 : 587, authenticated: !!url.username };
}

/** MAIL_FROM as `{name, address}`, or null unless it is exactly one address we accept (normalize.ts isEmailAddress). */
export function parseMailFrom(value: string): { name: string; address: string } | null {
  const parsed = addressparser(value, { flatten: true });
  if (parsed.length !== 1) return null;
  const { name, address } = parsed[0] as { name: string; address: string };
  return isEmailAddress(address) ? { name, address } : null;
}
