import { type CertificateFacts, type PublicCertificateFacts, seesHolder } from '../certificates/certificates.service';
import { reinstatable, revocable, standingCertificate } from '../certificates/standing';
import type { Lang } from '../content/content.types';
import { t } from './i18n';

/** The colour a certificate status is shown in, always beside its word: valid green, expired/superseded amber, revoked red. */
export const CERTIFICATE_TONE: Record<string, 'ok' | 'warn' | 'bad'> = { valid: 'ok', expired: 'warn', superseded: 'warn', revoked: 'bad' };

/**
 * A certificate as the pages show it: status in words, links to the printable
 * certificate and its public verification page. The holder's name, the
 * revocation's reason and its lifting only when the facts are the full ones
 * (the caller sees the holder).
 */
export function certificateView(f: PublicCertificateFacts | CertificateFacts, lang: Lang) {
  const full = seesHolder(f) ? f : null;
  return {
    serial: f.serial,
    status: f.status,
    statusLabel: t(lang, `status.${f.status}`),
    tone: CERTIFICATE_TONE[f.status] ?? 'warn',
    validFrom: f.validFrom,
    validUntil: f.validUntil,
    revokedAt: f.revokedAt,
    revocationReason: full?.revocationReason ?? null,
    engagement: f.engagement,
    organization: f.organization.name,
    holderName: full?.holder.name ?? null,
    maskedName: f.holder.maskedName,
    revocable: revocable(f.status),
    // Only those who see the holder learn whether a revocation was lifted, so only they get the action.
    reinstatable: !!full && reinstatable(full),
    reinstatedAt: full?.reinstatedAt ?? null,
    href: `/certificates/${f.serial}`,
    verifyHref: `/verify/${f.serial}`,
  };
}

/** Of a worker's certificates, the one that stands for an engagement (standing.ts: the newest one not superseded). */
export function standingFor<T extends Pick<CertificateFacts, 'status' | 'engagement' | 'issuedAt' | 'serial'>>(
  certs: T[],
  engagementId: string,
): T | null {
  return standingCertificate(certs.filter((c) => c.engagement.id === engagementId));
}

/** A pasted list of serials: one per line, or separated by commas (Japanese ones too), semicolons or tabs (an Excel column or row). */
export function splitSerials(text: string): string[] {
  return text
    .split(/[\r\n,;\t、，；]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
