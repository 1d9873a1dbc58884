import { AUDIT_DETAIL_IDS, type AuditSearchPage } from '../audit/audit.service';
import { AUDIT_ACTIONS } from '../audit/audit-actions';
import { toCsv } from '../common/csv/csv';
import { formatDateTime } from '../common/dates';
import { lookup, t, type Lang } from './i18n';

type Event = AuditSearchPage['items'][number];
type Names = AuditSearchPage['names'];

/** The filters of the audit page, as the query string carries them (ids, kinds and days only: never a name). */
export interface AuditPageFilters {
  engagementId?: string;
  actorId?: string;
  action?: string;
  from?: string;
  to?: string;
}

/** `?engagementId=…&action=…[&cursor=…]`, for the pager and the CSV link. */
export function auditQuery(f: AuditPageFilters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Who acted, in words: the name where the caller may see it, else the role alone (never a bare UUID). */
function actorWords(e: Event, names: Names, lang: Lang): string {
  const role = lookup(lang, `audit.role.${e.actorRole}`) ?? e.actorRole;
  const name = e.actorId ? names.users.get(e.actorId) : undefined;
  return name ? t(lang, 'audit.actorNamed', { name, role }) : role;
}

/** What the event concerns, in words: its kind of thing and, where the caller may see it, its name. */
function targetWords(e: Event, names: Names, lang: Lang): string {
  const kind = lookup(lang, `audit.target.${e.targetType}`) ?? e.targetType;
  if (!e.targetId) return kind;
  const name =
    e.targetType === 'user'
      ? names.users.get(e.targetId)
      : e.targetType === 'worker'
        ? names.workers.get(e.targetId)
        : e.targetType === 'engagement'
          ? names.engagements.get(e.targetId)
          : e.targetType === 'organization'
            ? names.organizations.get(e.targetId)
            : e.targetType === 'certificate' && typeof e.details.serial === 'string'
              ? e.details.serial // a serial is no personal data (it is printed on the certificate)
              : undefined;
  return name ? `${kind}: ${name}` : kind;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The event's details as short "key: value" pairs (ids, counts, codes: the trail never holds names).
 * An id is written as the name it stands for where the caller may see it (AUDIT_DETAIL_IDS), else
 * shortened to its first 8 characters: enough to tell two apart, no wall of UUIDs.
 */
function detailWords(e: Event, names: Names, lang: Lang): string {
  const word = (k: string, x: unknown): string => {
    const s = String(x);
    if (!UUID.test(s)) return s;
    const kind = AUDIT_DETAIL_IDS[k];
    const named =
      kind === 'user'
        ? names.users.get(s)
        : kind === 'worker'
          ? names.workers.get(s)
          : kind === 'organization'
            ? names.organizations.get(s)
            : kind === 'engagement'
              ? names.engagements.get(s)
              : undefined;
    return named ?? t(lang, 'audit.shortId', { id: s.slice(0, 8) });
  };
  return Object.entries(e.details)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${lookup(lang, `audit.detail.${k}`) ?? k}: ${Array.isArray(v) ? v.map((x) => word(k, x)).join(', ') : word(k, v)}`)
    .join(' / ');
}

/** One row of the audit page or its CSV: JST time, the kind in words, who, what, which engagement. */
export function auditRows(page: AuditSearchPage, lang: Lang) {
  return page.items.map((e) => ({
    seq: e.seq,
    at: formatDateTime(e.occurredAt, lang),
    action: e.action,
    actionWords: lookup(lang, `audit.action.${e.action}`) ?? e.action,
    actor: actorWords(e, page.names, lang),
    target: targetWords(e, page.names, lang),
    engagement: e.engagementId ? (page.names.engagements.get(e.engagementId) ?? '') : '',
    details: detailWords(e, page.names, lang),
  }));
}

/** The kinds of event for the filter, each in words, in the order of AUDIT_ACTIONS. */
export const auditActionOptions = (lang: Lang, selected?: string) =>
  AUDIT_ACTIONS.map((a) => ({ value: a, label: lookup(lang, `audit.action.${a}`) ?? a, selected: a === selected }));

const HEADERS = [
  'audit.csv.seq',
  'audit.csv.at',
  'audit.csv.action',
  'audit.csv.actor',
  'audit.csv.target',
  'audit.csv.engagement',
  'audit.csv.details',
] as const;

/** The audit trail as CSV for Excel: UTF-8 with BOM (toCsv), Japanese headers by default, times in JST marked JST. */
export function auditCsv(page: AuditSearchPage, lang: Lang): string {
  return toCsv(
    HEADERS.map((k) => t(lang, k)),
    auditRows(page, lang).map((r) => [r.seq, r.at, r.actionWords, r.actor, r.target, r.engagement, r.details]),
  );
}
