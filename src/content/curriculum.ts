import type { EngagementFlags, TrainingModule } from './content.types';

/**
 * The order modules are taught and listed in. Ids not listed here come after
 * these, alphabetically.
 */
export const MODULE_ORDER: readonly string[] = [
  'basics',
  'confidentiality',
  'data-handling',
  'no-takeout',
  'telework',
  'phishing-and-email',
  'generative-ai',
  'subcontracting',
  'return-disposal',
  'leaving-and-role-change',
  'malware-and-patching',
  'incident-reporting',
  'audit-and-liability',
  'personal-information',
  'my-number',
];

/** Compares module ids by MODULE_ORDER, then alphabetically. */
export function compareModuleIds(a: string, b: string): number {
  const ia = MODULE_ORDER.indexOf(a);
  const ib = MODULE_ORDER.indexOf(b);
  if (ia !== -1 || ib !== -1) {
    if (ia === -1) return 1;
    if (ib === -1) return -1;
    return ia - ib;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether an engagement with these flags must take the module. */
export function isRequired(module: Pick<TrainingModule, 'appliesWhen'>, flags: Partial<EngagementFlags>): boolean {
  return module.appliesWhen === 'always' || module.appliesWhen.some((flag) => flags[flag] === true);
}

/**
 * The module ids an engagement requires, in MODULE_ORDER: every module that
 * applies always, every module one of whose flags is true, and the extra ids
 * the town added. Extras that name no loaded module are left out (validate
 * them with ContentService.has() where they are entered).
 */
export function deriveCurriculum(
  modules: readonly TrainingModule[],
  flags: Partial<EngagementFlags>,
  extraModuleIds: readonly string[] = [],
): string[] {
  const extras = new Set(extraModuleIds);
  return modules
    .filter((m) => isRequired(m, flags) || extras.has(m.id))
    .map((m) => m.id)
    .filter((id, i, ids) => ids.indexOf(id) === i)
    .sort(compareModuleIds);
}
