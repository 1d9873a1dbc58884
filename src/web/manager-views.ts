import type { ContentService } from '../content/content.service';
import type { Lang } from '../content/content.types';
import type { EngagementsService } from '../engagements/engagements.service';
import type { WorkersService } from '../workers/workers.service';
import { isErrorCode } from '../common/errors/error-codes';
import { t, type MessageKey } from './i18n';

type EngagementView = Awaited<ReturnType<EngagementsService['get']>>;
type LinkView = Awaited<ReturnType<EngagementsService['listSubcontractors']>>['items'][number];
type WorkerView = Awaited<ReturnType<WorkersService['forAssignment']>>[number];

/** Where an organization stands on an engagement: the prime, or a subcontractor of some tier with its approval status. */
export function positionOf(e: Pick<EngagementView, 'primeContractorId'>, links: LinkView[], orgId: string, lang: Lang) {
  if (e.primeContractorId === orgId) return { label: t(lang, 'position.prime'), status: 'approved', prime: true, rejected: false };
  const link = links.find((l) => l.organizationId === orgId);
  if (!link) return { label: '', status: 'none', prime: false, rejected: true };
  return {
    label: t(lang, 'position.tier', { tier: link.tier }),
    status: link.status,
    statusLabel: t(lang, `status.${link.status}`),
    prime: false,
    rejected: link.status === 'rejected',
  };
}

export function curriculumView(ids: string[], content: ContentService, lang: Lang) {
  return ids.filter((id) => content.has(id)).map((id) => ({ id, title: content.get(id).title[lang] }));
}

/** The subcontract links as rows of a tree, parents before children, with their depth for indentation. */
export function treeRows(primeId: string, links: LinkView[], lang: Lang) {
  const byParent = new Map<string, LinkView[]>();
  for (const l of links) byParent.set(l.parentOrganizationId, [...(byParent.get(l.parentOrganizationId) ?? []), l]);
  const rows: (LinkView & { statusLabel: string; indent: number })[] = [];
  const seen = new Set<string>();
  const walk = (parent: string) => {
    for (const l of byParent.get(parent) ?? []) {
      if (seen.has(l.organizationId)) continue;
      seen.add(l.organizationId);
      rows.push({ ...l, statusLabel: t(lang, `status.${l.status}`), indent: Math.min(l.tier, 4) });
      walk(l.organizationId);
    }
  };
  walk(primeId);
  // A manager sees only their subtree, whose root's parent is not visible: start from what is left.
  for (const l of links) if (!seen.has(l.organizationId)) walk(l.parentOrganizationId);
  return rows;
}

export function managerEngagementView(args: {
  engagement: EngagementView;
  links: LinkView[];
  /** Subcontractors awaiting a manager the caller may invite (OrganizationsService.awaitingManager). */
  awaiting: ReadonlyMap<string, { invitedUntil: string | null }>;
  workers: WorkerView[];
  pickable: { id: string; name: string }[];
  orgId: string;
  lang: Lang;
  content: ContentService;
}) {
  const { engagement, links, awaiting, workers, pickable, orgId, lang, content } = args;
  const back = `/manager/engagements/${engagement.id}`;
  const position = positionOf(engagement, links, orgId, lang);
  return {
    engagement,
    position,
    curriculum: curriculumView(engagement.curriculum, content, lang),
    subcontractors: treeRows(engagement.primeContractorId, links, lang)
      .filter((r) => r.organizationId !== orgId)
      .map((r) => ({ ...r, managerStep: managerStep(r.organizationId, awaiting, back) })),
    workers,
    assignable: workers.filter((w) => !w.assigned).length,
    assignedCount: workers.filter((w) => w.assigned).length,
    assignedWorkers: workers.filter((w) => w.assigned),
    pickable,
    canAct: !position.rejected,
  };
}

/**
 * A refused CSV line in the page's language: the words of each of its
 * problems (errors.csv.* by code), a column named as the import page names it.
 */
export function csvLineMessage(problems: { code: string; params?: Record<string, string | number | boolean> }[], lang: Lang): string {
  return problems
    .map(({ code, params = {} }) => {
      const column = typeof params.column === 'string' && params.column in COLUMNS ? { column: t(lang, COLUMNS[params.column]) } : {};
      return isErrorCode(code) ? t(lang, `errors.${code}`, { ...params, ...column }) : t(lang, 'validation.invalid');
    })
    .join(t(lang, 'import.problemSeparator'));
}

/** The import's columns as the import page names them. */
const COLUMNS: Record<string, MessageKey> = {
  name: 'import.column.name',
  email: 'import.column.email',
  employeeNumber: 'import.column.employeeNumber',
  furigana: 'import.column.furigana',
};

/**
 * The "invite this company's manager" step on an organization's row (views/partials/manager-step.hbs):
 * where the caller may invite the manager of an organization that has none (OrganizationsService
 * awaitingManager), the invitation page's address, returning to `back`, and the expiry of an
 * invitation already sent; null for every other organization.
 */
export function managerStep(orgId: string, awaiting: ReadonlyMap<string, { invitedUntil: string | null }>, back: string) {
  const a = awaiting.get(orgId);
  return a ? { href: `/organizations/${orgId}/manager-invitation?next=${encodeURIComponent(back)}`, invitedUntil: a.invitedUntil } : null;
}
