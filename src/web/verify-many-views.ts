import { CertificateFacts, CertificatesService, PublicCertificateFacts } from '../certificates/certificates.service';
import { CERTIFICATE_STATUSES } from '../certificates/standing';
import { toCsv } from '../common/csv/csv';
import { formatDate } from '../common/dates';
import { certificateView } from './certificate-views';
import { t, type Lang } from './i18n';

type Verified = Awaited<ReturnType<CertificatesService['verifyMany']>>[number];
const FOUND = new Set<string>(CERTIFICATE_STATUSES);

/** One row of the results: a certificate found (with its view) or a problem. */
export interface VerifiedRow {
  number: number;
  found: boolean;
  status: Verified['status'];
  statusLabel: string;
  serial: string;
  cert?: ReturnType<typeof certificateView>;
}

/**
 * The results of a pasted list as the page and its CSV show them: each serial once (a serial pasted
 * twice is one certificate, counted once; `duplicates` says how many lines were dropped), in the
 * order first pasted. Found certificates carry the view (status, holder where the caller may see
 * them, validFrom and validUntil); the rest their problem (not found, mistyped, not a serial).
 */
export function verifiedRows(results: readonly Verified[], lang: Lang) {
  const seen = new Set<string>();
  const rows: VerifiedRow[] = [];
  for (const r of results) {
    const key = r.serial.toUpperCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const found = FOUND.has(r.status);
    rows.push({
      number: rows.length + 1,
      found,
      status: r.status,
      statusLabel: t(lang, `status.${r.status}`),
      serial: r.serial,
      ...(found ? { cert: certificateView(r as PublicCertificateFacts | CertificateFacts, lang) } : {}),
    });
  }
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  return {
    rows,
    duplicates: results.length - rows.length,
    summary: {
      valid: count('valid'),
      expired: count('expired'),
      revoked: count('revoked'),
      superseded: count('superseded'),
      problems: rows.filter((r) => !r.found).length,
    },
  };
}

const HEADERS = [
  'verifyMany.csv.number',
  'verifyMany.csv.serial',
  'verifyMany.csv.status',
  'verifyMany.csv.holder',
  'verifyMany.csv.organization',
  'verifyMany.csv.engagement',
  'verifyMany.csv.municipality',
  'verifyMany.csv.validFrom',
  'verifyMany.csv.validUntil',
] as const;

/**
 * The verification result as CSV for Excel (UTF-8 with BOM through toCsv, headers in `lang`, dates as
 * the screen writes them: 西暦, JST). The holder's full name only where the page shows it (the
 * municipality's own certificates), else the masked name.
 */
export function verifiedCsv(rows: readonly VerifiedRow[], lang: Lang): string {
  return toCsv(
    HEADERS.map((k) => t(lang, k)),
    rows.map((r) => [
      r.number,
      r.serial,
      r.statusLabel,
      r.cert ? (r.cert.holderName ?? r.cert.maskedName) : '',
      r.cert?.organization ?? '',
      r.cert?.engagement.title ?? '',
      r.cert?.engagement.municipality ?? '',
      r.cert ? formatDate(r.cert.validFrom, lang) : '',
      r.cert ? formatDate(r.cert.validUntil, lang) : '',
    ]),
  );
}
