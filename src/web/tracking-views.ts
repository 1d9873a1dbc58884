import { revocable } from '../certificates/standing';
import type { ContentService } from '../content/content.service';
import type { Lang } from '../content/content.types';
import type { Glance, Totals, TrackingService } from '../reports/tracking.service';
import { completionBars } from './completion-bars';
import { PROGRESS_FILTERS, type ProgressFilter } from '../reports/dto/tracking.dto';
import type { OrgRow, WorkerRow } from '../reports/tracking-data';
import { CERTIFICATE_TONE } from './certificate-views';
import { t } from './i18n';

type Progress = Awaited<ReturnType<TrackingService['progress']>>;
type Readiness = Awaited<ReturnType<TrackingService['readiness']>>;

const emptyCounts: Totals = { assigned: 0, certified: 0, expiring: 0, inProgress: 0, notStarted: 0, notEnrolled: 0, overdue: 0 };

/** Names listed per blocker group on the readiness page; the rest are counted and a link leads to the progress page. */
export const READINESS_NAMES = 10;

export interface ProgressFilters {
  status?: ProgressFilter;
  organizationId?: string;
}

/** `?status=…&organizationId=…[&cursor=…]`: ids and fixed words only, never a name. */
export function filterQuery(f: ProgressFilters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.organizationId) q.set('organizationId', f.organizationId);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

const byTree = (a: Pick<OrgRow, 'tier' | 'name'>, b: Pick<OrgRow, 'tier' | 'name'>) =>
  a.tier - b.tier || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Where a tracking page leads: back to the role's engagement page, and to the other views of the engagement. */
export function trackingLinks(id: string, town: boolean, seesReadiness: boolean) {
  return {
    town,
    backHref: town ? `/town/engagements/${id}` : `/manager/engagements/${id}`,
    homeHref: town ? '/town' : '/manager',
    progressHref: `/engagements/${id}/progress`,
    readinessHref: seesReadiness ? `/engagements/${id}/readiness` : null,
    reportHref: seesReadiness ? `/engagements/${id}/report` : null,
  };
}

/** A tier by name, as every page, CSV and document writes it: 元請, 第1次再委託先, 第2次再委託先 … */
export const tierName = (tier: number, lang: Lang) => (tier === 0 ? t(lang, 'position.prime') : t(lang, 'position.tier', { tier }));

/** How far the start is, in words: 開始まで12日 / 本日開始 / 開始済み（3日経過）. `days` from `daysUntil` (JST). */
export const startWords = (days: number, lang: Lang) =>
  days > 0 ? t(lang, 'glance.startsIn', { n: days }) : days === 0 ? t(lang, 'glance.startsToday') : t(lang, 'glance.started', { n: -days });

/**
 * A contract's status badge on /town: 開始可能 (green) or 開始できません・要対応 n件 (red), with how far
 * the start is. Words and colour together; null when the engagement was not judged.
 */
export function glanceBadge(g: Glance | undefined, lang: Lang) {
  if (!g) return null;
  return {
    ready: g.ready,
    word: g.ready ? t(lang, 'glance.ready') : t(lang, 'glance.blocked', { n: g.blockers }),
    start: startWords(g.daysUntilStart, lang),
    soon: !g.ready && g.daysUntilStart >= 0 && g.daysUntilStart <= 14,
  };
}

/** The completion bars of the organizations given (prime first, then by tier and name), each with its counts. */
export function organizationBars(
  orgs: readonly { id: string; name: string; tier: number; counts: Totals }[],
  lang: Lang,
  idPrefix: string,
) {
  return completionBars(
    [...orgs].sort(byTree).map((o) => ({ id: o.id, name: o.name, tierLabel: tierName(o.tier, lang), counts: o.counts })),
    lang,
    idPrefix,
  );
}

function orgView(o: OrgRow, lang: Lang) {
  return {
    id: o.id,
    name: o.name,
    tier: o.tier,
    indent: Math.min(o.tier, 4),
    tierLabel: tierName(o.tier, lang),
    status: o.status,
    isPrime: o.status === 'prime',
  };
}

/**
 * The progress page: the organizations of the visible tree with their tier
 * and approval status, and per organization the workers of this page, each
 * module's status as a numbered chip (the number refers to the legend, the
 * state is also written out for screen readers), the certificate and overdue flag.
 */
export function progressView(p: Progress, filters: ProgressFilters, content: ContentService, lang: Lang, canRevoke: boolean) {
  const modules = p.engagement.curriculum
    .filter((id) => content.has(id))
    .map((id, i) => ({ n: i + 1, id, title: content.get(id).title[lang] }));
  const titles = new Map(modules.map((m) => [m.id, m]));
  const organizations = [...p.organizations].sort(byTree);
  const workerView = (w: WorkerRow) => {
    const done = w.modules.filter((m) => m.status === 'completed').length;
    const cert = w.certificate;
    return {
      id: w.id,
      name: w.name,
      employeeNumber: w.employeeNumber,
      lastRemindedAt: w.lastRemindedAt,
      status: w.status,
      overdue: w.overdue,
      done,
      total: w.modules.length,
      modules: w.modules.map((m) => ({
        n: titles.get(m.moduleId)?.n ?? 0,
        status: m.status,
        label: t(lang, 'progress.moduleState', {
          title: titles.get(m.moduleId)?.title ?? m.moduleId,
          status: t(lang, `status.${m.status}`),
        }),
      })),
      certificate: cert
        ? {
            serial: cert.serial,
            status: cert.status,
            tone: CERTIFICATE_TONE[cert.status] ?? 'warn',
            validUntil: cert.validUntil,
            verifyHref: `/verify/${cert.serial}`,
            revokeHref: canRevoke && revocable(cert.status) ? `/town/certificates/${cert.serial}/revocation` : null,
          }
        : null,
    };
  };
  const shown = p.organizations.reduce((n, o) => n + o.workers.length, 0);
  return {
    modules,
    organizations: organizations.map((o) => ({
      ...orgView(o, lang),
      filterHref: `?organizationId=${o.id}`,
      selected: o.id === filters.organizationId,
    })),
    groups: organizations.filter((o) => o.workers.length).map((o) => ({ ...orgView(o, lang), workers: o.workers.map(workerView) })),
    shown,
    totals: p.totals,
    bars: organizationBars(
      p.organizations.map((o) => ({ ...o, counts: p.byOrganization[o.id] ?? emptyCounts })),
      lang,
      'progress-bar',
    ),
    statuses: PROGRESS_FILTERS.map((s) => ({ value: s, label: t(lang, `progress.filter.${s}`), selected: s === filters.status })),
    filtered: !!(filters.status || filters.organizationId),
    csvHref: `/engagements/${p.engagement.id}/progress.csv${filterQuery(filters)}`,
    nextHref: p.nextCursor ? filterQuery(filters, { cursor: p.nextCursor }) : null,
  };
}

type Blocker = {
  type: 'no_workers_assigned' | 'subcontractor_not_approved' | 'worker_not_certified' | 'certificate_expires_before_end';
  organizationId?: string;
  organizationName?: string;
  tier?: number;
  status?: string;
  workerId?: string;
  workerName?: string;
  progress?: string;
  overdue?: boolean;
  certificateStatus?: string | null;
  serial?: string;
  validUntil?: string;
};

/**
 * The readiness page: the verdict, and the blockers grouped by organization
 * (prime first, then by tier), each with where to go to resolve it. For
 * town staff a pending subcontractor carries the approval form itself.
 */
export function readinessView(args: { r: Readiness; engagementId: string; tiers: Map<string, number>; town: boolean; lang: Lang }) {
  const { r, engagementId, tiers, town, lang } = args;
  const progressHref = (orgId: string) => `/engagements/${engagementId}/progress?organizationId=${orgId}`;
  const engagementHref = town ? `/town/engagements/${engagementId}` : `/manager/engagements/${engagementId}`;
  const blockers = r.blockers as Blocker[];
  const wide = blockers.filter((b) => !b.organizationId);
  const groups = new Map<string, { id: string; name: string; tier: number; blockers: Blocker[] }>();
  for (const b of blockers) {
    if (!b.organizationId) continue;
    const g = groups.get(b.organizationId) ?? {
      id: b.organizationId,
      name: b.organizationName ?? '',
      tier: tiers.get(b.organizationId) ?? b.tier ?? 0,
      blockers: [],
    };
    g.blockers.push(b);
    groups.set(b.organizationId, g);
  }
  const names = <T>(list: T[]) => ({ shown: list.slice(0, READINESS_NAMES), more: Math.max(0, list.length - READINESS_NAMES) });
  return {
    ready: r.ready,
    blockerCount: blockers.length,
    bars: organizationBars(r.organizations, lang, 'readiness-bar'),
    wide: wide.map(() => ({
      text: t(lang, 'readiness.noWorkers'),
      href: engagementHref,
      label: t(lang, town ? 'readiness.chaseEngagement' : 'readiness.chaseAssign'),
    })),
    groups: [...groups.values()].sort(byTree).map((g) => {
      const approval = g.blockers.find((b) => b.type === 'subcontractor_not_approved');
      const uncertified = g.blockers.filter((b) => b.type === 'worker_not_certified');
      const expiring = g.blockers.filter((b) => b.type === 'certificate_expires_before_end');
      return {
        id: g.id,
        name: g.name,
        tierLabel: tierName(g.tier, lang),
        approval: approval
          ? {
              pending: approval.status === 'pending_approval',
              status: approval.status,
              text: t(lang, approval.status === 'pending_approval' ? 'readiness.pending' : 'readiness.rejected'),
              // Only the town decides; for the prime's managers there is nothing to click.
              decision: town && approval.status === 'pending_approval',
            }
          : null,
        uncertified: uncertified.length
          ? {
              count: uncertified.length,
              ...names(
                uncertified.map((b) => ({
                  name: b.workerName,
                  progress: b.progress,
                  overdue: b.overdue,
                  certificateStatus: b.certificateStatus,
                })),
              ),
              href: progressHref(g.id),
            }
          : null,
        expiring: expiring.length
          ? {
              count: expiring.length,
              ...names(
                expiring.map((b) => ({ name: b.workerName, serial: b.serial, validUntil: b.validUntil, href: `/verify/${b.serial}` })),
              ),
              href: progressHref(g.id),
            }
          : null,
      };
    }),
  };
}
