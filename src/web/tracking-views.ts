import { revocable } from '../certificates/standing';
import type { ContentService } from '../content/content.service';
import type { Lang } from '../content/content.types';
import type { TrackingService } from '../reports/tracking.service';
import { PROGRESS_FILTERS, type ProgressFilter } from '../reports/dto/tracking.dto';
import type { OrgRow, WorkerRow } from '../reports/tracking-data';
import { CERTIFICATE_TONE } from './certificate-views';
import { t } from './i18n';

type Progress = Awaited<ReturnType<TrackingService['progress']>>;
type Readiness = Awaited<ReturnType<TrackingService['readiness']>>;

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

function orgView(o: OrgRow, lang: Lang) {
  return {
    id: o.id,
    name: o.name,
    tier: o.tier,
    indent: Math.min(o.tier, 4),
    tierLabel: o.tier === 0 ? t(lang, 'position.prime') : t(lang, 'position.tier', { tier: o.tier }),
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
        tierLabel: g.tier === 0 ? t(lang, 'position.prime') : t(lang, 'position.tier', { tier: g.tier }),
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
