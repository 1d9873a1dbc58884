import type { CertificateFacts } from '../certificates/certificates.service';
import type { Lang } from '../content/content.types';
import { t } from './i18n';

/** The colour a certificate status is shown in, always beside its word: valid green, expired/superseded amber, revoked red. */
export const CERTIFICATE_TONE: Record<string, 'ok' | 'warn' | 'bad'> = { valid: 'ok', expired: 'warn', superseded: 'warn', revoked: 'bad' };

/** Statuses whose stored state is still `valid`: the ones CertificatesService.revoke accepts. */
const REVOCABLE = new Set(['valid', 'expired']);

/** A certificate as the pages show it: status in words, links to the printable certificate and its public verification page. */
export function certificateView(f: CertificateFacts, lang: Lang) {
  return {
    serial: f.serial,
    status: f.status,
    statusLabel: t(lang, `status.${f.status}`),
    tone: CERTIFICATE_TONE[f.status] ?? 'warn',
    validFrom: f.validFrom,
    validUntil: f.validUntil,
    revokedAt: f.revokedAt,
    revocationReason: f.revocationReason,
    engagement: f.engagement,
    organization: f.organization.name,
    holderName: f.holder.name ?? null,
    maskedName: f.holder.maskedName,
    revocable: REVOCABLE.has(f.status),
    href: `/certificates/${f.serial}`,
    verifyHref: `/verify/${f.serial}`,
  };
}

/** The certificate that stands for an engagement: the newest one not superseded (the list comes newest first). */
export function standingCertificate<T extends Pick<CertificateFacts, 'status' | 'engagement'>>(certs: T[], engagementId: string): T | null {
  return certs.find((c) => c.engagement.id === engagementId && c.status !== 'superseded') ?? null;
}

/** A pasted list of serials: one per line, or separated by commas (Japanese ones too), semicolons or tabs (an Excel column or row). */
export function splitSerials(text: string): string[] {
  return text
    .split(/[\r\n,;\t、，；]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
