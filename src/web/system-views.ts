import type { Lang } from '../content/content.types';
import type { SystemFacts } from '../system/system.service';
import { t } from './i18n';

/** The colour of each support verdict, always beside its words: supported green, the rest amber, past end of life red. */
const SUPPORT_TONE = { supported: 'ok', not_lts: 'warn', unknown: 'warn', end_of_life: 'bad' } as const;

/**
 * What runs, as the admin page shows it (Articles 9-2 and 12): the service
 * version, the Node.js version with its end-of-life date and the support
 * verdict, the database kind, and the bill of materials with its digest and
 * download link. The facts come from SystemService (the same as
 * `GET /api/v1/system`); only the words are made here.
 */
export function systemView(f: SystemFacts, lang: Lang) {
  return {
    service: `${f.service.name} ${f.service.version}`,
    node: f.runtime.version,
    endOfLife: f.runtime.endOfLife,
    support: {
      tone: SUPPORT_TONE[f.runtime.support],
      label: t(lang, `system.support.${f.runtime.support}`),
      supported: f.runtime.support === 'supported',
    },
    database: t(lang, `system.database.${f.database}`),
    sbom: f.sbom && {
      digest: f.sbom.digest,
      summary: t(lang, 'system.sbomSummary', { format: f.sbom.format, components: f.sbom.components }),
      href: '/api/v1/system/sbom',
    },
  };
}
