import { todayJst } from '../common/dates';
import { errorSummary, FieldErrors, FormBody, list, str, type SummaryItem } from './forms';

/** The value of the prime contractor select that registers a new organization instead. */
export const NEW_ORGANIZATION = 'new';

const FLAGS = ['handlesPersonalInfo', 'handlesMyNumber', 'usesCloudStorage'] as const;

/**
 * The engagement form as the API's CreateEngagementDto expects it (checkboxes
 * to booleans, numbers from text, empty optional fields left out), and as the
 * form shows it again after an error.
 */
export function engagementFormInput(body: FormBody) {
  const num = (name: string) => {
    const v = str(body, name).trim();
    return v === '' ? undefined : /^\d+$/.test(v) ? Number(v) : v;
  };
  const input: Record<string, unknown> = {
    title: str(body, 'title'),
    contractNumber: str(body, 'contractNumber'),
    primeContractorId: str(body, 'primeContractorId'),
    startsOn: str(body, 'startsOn'),
    endsOn: str(body, 'endsOn'),
    // A ticked checkbox sends "on", an unticked one nothing; any other value goes to the DTO as it is, to be refused.
    ...Object.fromEntries(FLAGS.map((f) => [f, str(body, f) === 'on' ? true : str(body, f) === '' ? false : str(body, f)])),
    extraModuleIds: list(body, 'extraModuleIds'),
    passMark: num('passMark'),
    certificateValidityDays: num('certificateValidityDays'),
  };
  for (const k of ['passMark', 'certificateValidityDays']) if (input[k] === undefined) delete input[k];
  const form: Record<string, unknown> = {
    ...input,
    passMark: str(body, 'passMark'),
    certificateValidityDays: str(body, 'certificateValidityDays'),
    newPrimeName: str(body, 'newPrimeName'),
    newPrimeCorporateNumber: str(body, 'newPrimeCorporateNumber'),
    newPrimeContactEmail: str(body, 'newPrimeContactEmail'),
  };
  return { input, form };
}

/** After a failed decision post: that form's errors and typed values, keyed `<engagementId>:<organizationId>`. */
export type DecisionErrors = Record<string, { errors: FieldErrors; values: Record<string, string> }>;

/** The element id prefix of one decision form's fields. */
const decisionIdPrefix = (organizationId: string) => `d-${organizationId.slice(0, 8)}`;

/** The error summary of a failed decision: each message linked to its field in that form (the choice links to its first radio). */
export function decisionSummary(organizationId: string, errors: FieldErrors): SummaryItem[] {
  const prefix = `${decisionIdPrefix(organizationId)}-`;
  return errorSummary(errors, { decision: `${prefix}approve` }, prefix);
}

/**
 * The pages a decision form is on, by the path each returns to. After a failed post the form's own page
 * is shown again with its errors (TownPagesController.decide), never another one: a page that offers the
 * form is listed here, and its `next` names it.
 */
export const DECISION_PAGES = {
  approvals: () => '/town/approvals',
  engagement: (engagementId: string) => `/town/engagements/${engagementId}`,
  readiness: (engagementId: string) => `/engagements/${engagementId}/readiness`,
} as const;
export type DecisionPage = keyof typeof DECISION_PAGES;

/** The page a decision on this engagement was posted from, by its `next`; one that names no page of DECISION_PAGES: the approvals. */
export function decisionPage(next: string, engagementId: string): DecisionPage {
  return (Object.keys(DECISION_PAGES) as DecisionPage[]).find((p) => DECISION_PAGES[p](engagementId) === next) ?? 'approvals';
}

/** One decision form (partials/decision-form.hbs) on `page`: its action, where to return, defaults and (after a failed post) its errors and typed values. */
export function decisionFormView(engagementId: string, organizationId: string, page: DecisionPage, errors?: DecisionErrors) {
  const mine = errors?.[`${engagementId}:${organizationId}`];
  return {
    action: `/town/engagements/${engagementId}/subcontractors/${organizationId}/decision`,
    next: DECISION_PAGES[page](engagementId),
    idPrefix: decisionIdPrefix(organizationId),
    decidedOn: mine?.values?.decidedOn ?? todayJst(),
    reference: mine?.values?.reference ?? '',
    approve: mine?.values?.decision === 'approve',
    reject: mine?.values?.decision === 'reject',
    errors: mine?.errors ?? {},
  };
}
