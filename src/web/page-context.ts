import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../auth/auth-user';
import type { Lang } from '../content/content.types';
import type { Role } from '../users/user.entity';
import { langOf, t, type MessageKey } from './i18n';

export type PageRequest = FastifyRequest & { user?: AuthUser };

/** Where each role lands after signing in: `/` sends them here. */
export const ROLE_HOME: Record<Role, string> = {
  worker: '/learn',
  org_manager: '/manager',
  town_staff: '/town',
  admin: '/admin',
  content_author: '/content/item-analysis',
};

const NAV: Record<Role, { href: string; key: MessageKey }[]> = {
  worker: [
    { href: '/learn', key: 'nav.myTraining' },
    { href: '/learn/certificates', key: 'nav.myCertificates' },
  ],
  org_manager: [
    { href: '/manager', key: 'nav.managerHome' },
    { href: '/manager/workers/new', key: 'nav.addWorker' },
    { href: '/manager/workers/import', key: 'nav.importCsv' },
  ],
  town_staff: [
    { href: '/town', key: 'nav.engagements' },
    { href: '/town/approvals', key: 'nav.approvals' },
    { href: '/town/engagements/new', key: 'nav.newEngagement' },
    { href: '/town/certificates', key: 'nav.verify' },
  ],
  admin: [
    { href: '/admin', key: 'nav.admin' },
    { href: '/content/item-analysis', key: 'nav.itemAnalysis' },
    { href: '/admin/outbox', key: 'nav.outbox' },
  ],
  content_author: [{ href: '/content/item-analysis', key: 'nav.itemAnalysis' }],
};

/** The path without its query: what the language switch returns to. Ids only, never personal data. */
export const currentPath = (req: FastifyRequest) => req.url.split('?')[0];

/**
 * What the layout and its header need on every page (ours, and error pages):
 * language, who is signed in, the role's navigation, the path for the
 * language switch.
 */
export function baseContext(req: PageRequest, _reply: FastifyReply) {
  const lang: Lang = langOf(req);
  const path = currentPath(req);
  const user = req.user;
  return {
    lang,
    otherLang: lang === 'ja' ? 'en' : 'ja',
    currentPath: path,
    user: user ? { displayName: user.displayName, roleLabel: t(lang, `role.${user.role}`), home: ROLE_HOME[user.role] } : null,
    nav: user ? NAV[user.role].map((n) => ({ href: n.href, label: t(lang, n.key), current: n.href === path })) : [],
  };
}
