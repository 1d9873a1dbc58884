/*
 * What the two bare baselines (server.ts on SQLite, pg-server.ts on
 * PostgreSQL) share: the answer's headers, the error type, the quiz draw and
 * the public facts' JSON; the quiz draw is the service's own (src/training/draw.ts). Not a framework: the few lines each would
 * otherwise repeat.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { securityHeaders } from '../../src/common/http/security-headers';
import { SubcontractTree } from '../../src/access/subcontract-tree';
import type { TrainingModule } from '../../src/content/content.types';
import { draw } from '../../src/training/draw';
import { answeredRight, grade } from '../../src/training/grading';

export const DAY = 86400_000;
/** A version-4-style UUID (the ids the service issues). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** An answer other than 200, with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The same security headers as the service's answers (helmet's, decided once): the same answer, headers included. */
export const SECURITY_HEADERS = securityHeaders({ https: false });

/** Writes a whole answer: `extra` headers, the media type, length, a request id and the security headers. */
export function send(
  res: ServerResponse,
  status: number,
  body: string,
  type = 'application/json; charset=utf-8',
  extra: Record<string, string> = {},
) {
  res.writeHead(status, {
    ...extra,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'x-request-id': randomUUID(),
    ...SECURITY_HEADERS,
  });
  res.end(body);
}

/** The public verification's JSON from the certificate's row (the same fields, in the same order, as the service's). */
export function publicFactsBody(c: Record<string, string>): string {
  const status = c.status === 'valid' && c.valid_until <= new Date().toISOString() ? 'expired' : c.status;
  return JSON.stringify({
    serial: c.serial,
    status,
    validFrom: c.valid_from,
    validUntil: c.valid_until,
    revokedAt: c.revoked_at,
    engagement: { title: c.engagement_title, municipality: c.municipality_name },
    organization: { name: c.organization_name },
    holder: { maskedName: c.holder_masked_name },
  });
}

export { draw };
export type Drawn = ReturnType<typeof draw>[number];

/** The quiz start's body: `{engagementId}` and nothing else. */
export function startBody(text: string): string {
  const dto = JSON.parse(text) as { engagementId?: unknown };
  if (typeof dto.engagementId !== 'string' || !UUID.test(dto.engagementId) || Object.keys(dto).length !== 1)
    throw new HttpError(400, 'Invalid input: engagementId');
  return dto.engagementId;
}

/** Three failed sittings in a row, the last less than ten minutes ago: the cool-down (the service's defaults). */
export const MAX_FAILURES = 3;
const COOLDOWN_MINUTES = 10;
export function coolingDown(recent: { passed: unknown; submitted_at: string }[]): boolean {
  return (
    recent.length >= MAX_FAILURES &&
    !recent.some((a) => a.passed) &&
    Date.parse(recent[0].submitted_at) + COOLDOWN_MINUTES * 60_000 > Date.now()
  );
}

/** A new sitting as the service answers its start (Japanese texts, choices under their sitting keys). */
export function sittingView(
  id: string,
  m: TrainingModule,
  engagementId: string,
  questions: Drawn[],
  startedAt: string,
  expiresAt: string,
): string {
  return JSON.stringify({
    attemptId: id,
    moduleId: m.id,
    revision: m.revision,
    engagementId,
    questions: questions.map((q) => ({
      id: q.id,
      text: q.text.ja,
      multiple: q.multiple,
      choices: q.choices.map((c) => ({ id: c.key, text: c.text.ja })),
    })),
    startedAt,
    expiresAt,
    submitted: false,
  });
}

type GivenAnswers = { questionId: string; choiceIds: string[] }[];

/** The submission's body: at most 20 answers, each a question id and a list of choice keys. */
export function submissionBody(text: string): GivenAnswers {
  const dto = JSON.parse(text) as { answers?: GivenAnswers };
  if (
    !Array.isArray(dto.answers) ||
    dto.answers.length > 20 ||
    dto.answers.some((a) => typeof a.questionId !== 'string' || !Array.isArray(a.choiceIds))
  )
    throw new HttpError(400, 'Invalid input: answers');
  return dto.answers;
}

/**
 * A stored sitting graded as the service grades it: each answer names a drawn question once and only its
 * choice keys (one for a single-answer question); the results teach, the verdict on the exact fraction.
 */
export function gradeSitting(questionsJson: string, answers: GivenAnswers, passMark: number) {
  const questions = JSON.parse(questionsJson) as Drawn[];
  const byId = new Map(questions.map((q) => [q.id, q]));
  const given = new Map<string, string[]>();
  for (const x of answers) {
    const q = byId.get(x.questionId);
    if (!q || given.has(x.questionId)) throw new HttpError(400, 'Invalid input: answers');
    const keys = new Set(q.choices.map((c) => c.key));
    if (x.choiceIds.some((k) => !keys.has(k)) || (!q.multiple && x.choiceIds.length > 1))
      throw new HttpError(400, 'Invalid input: answers');
    given.set(x.questionId, [...new Set(x.choiceIds)]);
  }
  const results = questions.map((q) => ({
    questionId: q.id,
    correct: answeredRight(q, given.get(q.id) ?? []),
    explanation: q.explanation.ja,
    correctChoices: q.choices.filter((c) => c.correct).map((c) => ({ id: c.key, text: c.text.ja })),
  }));
  const { score, passed } = grade(results.filter((r) => r.correct).length, results.length, passMark);
  const stored = questions.map((q) => ({ questionId: q.id, choiceKeys: given.get(q.id) ?? [] }));
  return { results, score, passed, stored };
}

/** An engagement's row, its links and a worker's completions, as the issuance check reads them. */
export interface IssuanceFacts {
  engagement: { prime_organization_id: string; curriculum: string; certificate_validity_days: number };
  links: { organization_id: string; parent_organization_id: string; status: string; tier: number }[];
  completions: { module_id: string; revision: number; completed_at: string }[];
}

/**
 * Would the service issue a certificate now (the issuance check's rules, issuance.service.ts): the worker's
 * organization on an approved chain, and every curriculum module completed at its minimum revision or later
 * within the certificate's validity (modules the content lacks do not count).
 */
export function attestsCurriculum(
  f: IssuanceFacts,
  organizationId: string,
  modules: ReadonlyMap<string, TrainingModule>,
  now: number,
): boolean {
  const e = f.engagement;
  const tree = new SubcontractTree(
    e.prime_organization_id,
    f.links.map((l) => ({
      organizationId: l.organization_id,
      parentOrganizationId: l.parent_organization_id,
      status: l.status as 'approved',
      tier: l.tier,
    })),
  );
  if (!tree.isApprovedChain(organizationId)) return false;
  return (JSON.parse(e.curriculum) as string[]).every((id) => {
    const m = modules.get(id);
    return (
      !m ||
      f.completions.some(
        (c) =>
          c.module_id === id && c.revision >= m.minimumRevision && Date.parse(c.completed_at) > now - e.certificate_validity_days * DAY,
      )
    );
  });
}
