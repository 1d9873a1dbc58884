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

/** One decision form (partials/decision-form.hbs): its action, where to return, defaults and (after a failed post) its errors and typed values. */
export function decisionFormView(engagementId: string, organizationId: string, next: string, errors?: DecisionErrors) {
  const mine = errors?.[`${engagementId}:${organizationId}`];
  return {
    action: `/town/engagements/${engagementId}/subcontractors/${organizationId}/decision`,
    next,
    idPrefix: decisionIdPrefix(organizationId),
    decidedOn: mine?.values?.decidedOn ?? todayJst(),
    reference: mine?.values?.reference ?? '',
    approve: mine?.values?.decision === 'approve',
    reject: mine?.values?.decision === 'reject',
    errors: mine?.errors ?? {},
  };
}
