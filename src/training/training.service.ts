import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import { AuditService } from '../audit/audit.service';
import { IssuanceService } from '../certificates/issuance.service';
import type { AuthUser } from '../auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ContentService } from '../content/content.service';
import type { Lang } from '../content/content.types';
import { portableSql } from '../database/portable-sql';
import { TransactionService } from '../database/transaction.service';
import { Engagement } from '../engagements/engagement.entity';
import { Assignment } from '../workers/assignment.entity';
import { Attempt, DrawnQuestion, GivenAnswer } from './attempt.entity';
import { Completion } from './completion.entity';
import { countingCompletion, moduleStatus } from './completion-rules';
import { draw } from './draw';
import { answeredRight, grade } from './grading';

@Injectable()
export class TrainingService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly access: AccessService,
    private readonly content: ContentService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly issuance: IssuanceService,
  ) {}

  /**
   * Draws `drawSize` questions at random and shuffles their choices. The
   * sitting, answer key included, is stored with the attempt (so a reload
   * shows the same questions and grading uses this revision); the client gets
   * per-attempt choice keys and no hint of which is correct.
   */
  async start(user: AuthUser, moduleId: string, engagementId: string, lang: Lang) {
    const engagement = await this.access.engagement(user, engagementId);
    const module = this.content.get(moduleId);
    if (!engagement.curriculum.includes(moduleId)) throw new DomainError('training.module_not_in_curriculum');
    await this.assertNotCoolingDown(this.db.manager, user.workerId!, moduleId);
    const now = new Date();
    const attempt: Attempt = {
      id: randomUUID(),
      workerId: user.workerId!,
      engagementId,
      moduleId,
      revision: module.revision,
      contentHash: module.contentHash,
      passMark: engagement.passMark ?? module.passMark,
      questions: draw(module),
      startedAt: now,
      expiresAt: new Date(now.getTime() + module.timeLimitMinutes * 60_000),
      submittedAt: null,
      answers: null,
      score: null,
      passed: null,
    };
    // Its id and times are ours: nothing to read back after the insert (TypeORM's `updateEntity` would).
    await this.tx.run((m) => m.createQueryBuilder().insert().into(Attempt).values(attempt).updateEntity(false).execute());
    return attemptView(attempt, lang);
  }

  /** The same sitting again (a reload), for its worker only. */
  async get(user: AuthUser, attemptId: string, lang: Lang) {
    return attemptView(await this.ownAttempt(user, attemptId), lang);
  }

  /**
   * Grades on the server against the stored sitting. A second submission, or
   * one after the time limit, is a 409 and changes nothing. A pass writes its
   * completion in the same transaction, exactly once per attempt, and issues
   * the certificate it makes due (IssuanceService.afterPass): `certificate` in the answer.
   *
   * The answer teaches: each result carries the question's explanation and
   * its correct choices (`correctChoices: [{id, text}]`, the ids as served in
   * this sitting) — for every question, right ones included, where they are
   * exactly the choices the worker made. `score` is the rounded percentage
   * shown, `passed` the verdict on the exact fraction (grading.ts).
   * @throws DomainError `attempt.not_found` (404), `attempt.already_submitted` / `attempt.time_limit_passed` (409),
   *   `training.cooling_down` (429), `attempt.answer_*` (400)
   */
  async submit(user: AuthUser, attemptId: string, answers: { questionId: string; choiceIds: string[] }[], lang: Lang) {
    return this.tx.run(async (m) => {
      // One read, inside the transaction: the worker's own attempt or a 404 (which writes nothing).
      const attempt = await m.findOneBy(Attempt, { id: attemptId, workerId: user.workerId ?? '' });
      if (!attempt) throw new DomainError('attempt.not_found');
      if (attempt.submittedAt) throw new DomainError('attempt.already_submitted');
      const now = new Date();
      if (now > attempt.expiresAt) throw new DomainError('attempt.time_limit_passed');
      // The cool-down holds at submission too: sittings started before it began are not graded during it.
      // One worker's submissions take turns (a row lock on PostgreSQL; SQLite runs one write transaction at a time),
      // so concurrent submissions cannot all pass the check before any failure is recorded.
      if (m.connection.options.type === 'postgres') await m.query('SELECT id FROM workers WHERE id = $1 FOR UPDATE', [attempt.workerId]);
      await this.assertNotCoolingDown(m, attempt.workerId, attempt.moduleId, now);
      const given = checkAnswers(attempt.questions, answers);
      const results = attempt.questions.map((q) => ({
        questionId: q.id,
        correct: answeredRight(q, given.get(q.id) ?? []),
        explanation: q.explanation[lang],
        correctChoices: correctChoices(q, lang),
      }));
      // The verdict on the exact fraction, the shown score rounded (grading.ts).
      const { score, passed } = grade(results.filter((r) => r.correct).length, results.length, attempt.passMark);
      const stored: GivenAnswer[] = attempt.questions.map((q) => ({ questionId: q.id, choiceKeys: given.get(q.id) ?? [] }));
      // The condition on submitted_at makes the first submission the only one, even across instances.
      const res = await m
        .createQueryBuilder()
        .update(Attempt)
        .set({ submittedAt: now, answers: stored, score, passed })
        .where('id = :id AND submitted_at IS NULL', { id: attemptId })
        .execute();
      if (res.affected === 0) throw new DomainError('attempt.already_submitted');
      await this.audit.record(m, {
        action: 'attempt.submitted',
        actor: user,
        targetType: 'attempt',
        targetId: attemptId,
        engagementId: attempt.engagementId,
        details: { moduleId: attempt.moduleId, revision: attempt.revision, score, passed },
      });
      let certificate: { serial: string } | null = null;
      if (passed) {
        await m
          .createQueryBuilder()
          .insert()
          .into(Completion)
          .values({
            id: randomUUID(),
            workerId: attempt.workerId,
            moduleId: attempt.moduleId,
            revision: attempt.revision,
            contentHash: attempt.contentHash,
            score,
            attemptId,
            completedAt: now,
          })
          .updateEntity(false)
          .execute();
        // The pass that completes the curriculum issues the certificate, in this transaction (IssuanceService).
        certificate = await this.issuance.afterPass(m, attempt.workerId, attempt.engagementId);
      }
      return { attemptId, moduleId: attempt.moduleId, score, passed, passMark: attempt.passMark, results, certificate };
    });
  }

  /**
   * A submitted sitting as its worker reviews it (the web result page): the
   * score, and each question with every choice in the order shown, marked
   * `chosen` (the worker's own) and `correct` (the key), whether it was right
   * and its explanation. Only after submission: 409 `attempt.not_submitted` before it (the key
   * never leaves the server until the sitting is graded), 404 `attempt.not_found` for anyone else's attempt.
   */
  async result(user: AuthUser, attemptId: string, lang: Lang) {
    const a = await this.ownAttempt(user, attemptId);
    if (!a.submittedAt || !a.answers) throw new DomainError('attempt.not_submitted');
    const given = new Map(a.answers.map((x) => [x.questionId, x.choiceKeys]));
    return {
      attemptId: a.id,
      moduleId: a.moduleId,
      engagementId: a.engagementId,
      revision: a.revision,
      score: a.score!,
      passed: a.passed!,
      passMark: a.passMark,
      submittedAt: a.submittedAt.toISOString(),
      questions: a.questions.map((q) => {
        const chosen = given.get(q.id) ?? [];
        return {
          id: q.id,
          text: q.text[lang],
          multiple: q.multiple,
          correct: answeredRight(q, chosen),
          answered: chosen.length > 0,
          choices: q.choices.map((c) => ({ id: c.key, text: c.text[lang], chosen: chosen.includes(c.key), correct: c.correct })),
          explanation: q.explanation[lang],
        };
      }),
    };
  }

  /**
   * The worker's engagements with each module's status. A completion counts
   * for every engagement it fits (see completion-rules.ts): an identical
   * module is not retaken for a second engagement.
   */
  async myEngagements(user: AuthUser) {
    const workerId = user.workerId!;
    const engagements = await this.db
      .getRepository(Engagement)
      .createQueryBuilder('e')
      .innerJoin(Assignment, 'a', 'a.engagement_id = e.id AND a.worker_id = :workerId', { workerId })
      .orderBy('e.starts_on', 'ASC')
      .getMany();
    const { completions, attempts } = await this.history(workerId);
    const now = new Date();
    return engagements.map((e) => ({
      engagement: { id: e.id, title: e.title, contractNumber: e.contractNumber, startsOn: e.startsOn, endsOn: e.endsOn },
      modules: e.curriculum
        .filter((id) => this.content.has(id))
        .map((id) => {
          const module = this.content.get(id);
          const done = countingCompletion(completions, module, e.certificateValidityDays, now);
          const tried = attempts.get(id);
          const status = moduleStatus(done, !!tried);
          return {
            moduleId: id,
            title: module.title,
            revision: module.revision,
            status,
            bestScore: tried?.bestScore ?? null,
            attempts: tried?.count ?? 0,
            completedAt: done ? done.completedAt.toISOString() : null,
          };
        }),
    }));
  }

  /** Completions and per-module attempt counts of one worker. */
  async history(workerId: string) {
    const completions = await this.db.getRepository(Completion).find({ where: { workerId } });
    const rows = await this.db
      .getRepository(Attempt)
      .createQueryBuilder('a')
      .select('a.module_id', 'moduleId')
      .addSelect('COUNT(*)', 'count')
      .addSelect('MAX(a.score)', 'bestScore')
      .where('a.worker_id = :workerId', { workerId })
      .groupBy('a.module_id')
      .getRawMany<{ moduleId: string; count: string; bestScore: number | null }>();
    const attempts = new Map(
      rows.map((r) => [r.moduleId, { count: Number(r.count), bestScore: r.bestScore === null ? null : Number(r.bestScore) }]),
    );
    return { completions, attempts };
  }

  private async ownAttempt(user: AuthUser, attemptId: string): Promise<Attempt> {
    const attempt = await this.db.getRepository(Attempt).findOneBy({ id: attemptId, workerId: user.workerId ?? '' });
    if (!attempt) throw new DomainError('attempt.not_found');
    return attempt;
  }

  /**
   * Anti-guessing: after N failed attempts in a row, a cool-down before the
   * next start or submission, whatever order the sittings were started in.
   * @throws DomainError `training.cooling_down` (429) with `failures`, `retryAt`
   *   (ISO-8601) and `retryAfterSeconds` (the filter's Retry-After) while cooling down
   */
  private async assertNotCoolingDown(m: EntityManager, workerId: string, moduleId: string, now = new Date()): Promise<void> {
    const n = this.config.quizMaxFailures;
    // Only the outcome and time of each (not the stored sittings, several kilobytes each), in `m`'s transaction;
    // plain SQL: read at every start and submission. Instants are ISO strings in both databases.
    const recent = (await m.query(portableSql(m.connection, RECENT_SITTINGS_SQL), [workerId, moduleId, n])) as {
      passed: boolean | number;
      submitted_at: string;
    }[];
    if (recent.length < n || recent.some((a) => !!a.passed)) return;
    const until = new Date(new Date(recent[0].submitted_at).getTime() + this.config.quizCooldownMinutes * 60_000);
    if (until > now)
      throw new DomainError('training.cooling_down', {
        failures: n,
        retryAt: until.toISOString(),
        retryAfterSeconds: Math.ceil((until.getTime() - now.getTime()) / 1000),
      });
  }
}

/** The correct choices of a drawn question, as served in its sitting: per-attempt ids and texts. Only for graded sittings. */
function correctChoices(q: DrawnQuestion, lang: Lang): { id: string; text: string }[] {
  return q.choices.filter((c) => c.correct).map((c) => ({ id: c.key, text: c.text[lang] }));
}

/**
 * Every answer must name a drawn question and its own choice keys; a single-answer question takes at most one.
 * @throws DomainError `attempt.answer_*` (400) naming the field, e.g. `answers[2].choiceIds`
 */
function checkAnswers(questions: DrawnQuestion[], answers: { questionId: string; choiceIds: string[] }[]): Map<string, string[]> {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const given = new Map<string, string[]>();
  answers.forEach((a, i) => {
    const q = byId.get(a.questionId);
    const at = (name: string) => `answers[${i}].${name}`;
    if (!q) throw new DomainError('attempt.answer_unknown_question', { field: at('questionId') }, at('questionId'));
    if (given.has(a.questionId)) throw new DomainError('attempt.answer_repeated', { field: at('questionId') }, at('questionId'));
    const keys = new Set(q.choices.map((c) => c.key));
    if (a.choiceIds.some((k) => !keys.has(k)))
      throw new DomainError('attempt.answer_foreign_choice', { field: at('choiceIds') }, at('choiceIds'));
    if (!q.multiple && a.choiceIds.length > 1)
      throw new DomainError('attempt.answer_too_many_choices', { field: at('choiceIds') }, at('choiceIds'));
    given.set(a.questionId, [...new Set(a.choiceIds)]);
  });
  return given;
}

/** What the worker sees of a sitting: texts in their language, opaque keys, and no correctness. */
function attemptView(a: Attempt, lang: Lang) {
  return {
    attemptId: a.id,
    moduleId: a.moduleId,
    revision: a.revision,
    engagementId: a.engagementId,
    questions: a.questions.map((q) => ({
      id: q.id,
      text: q.text[lang],
      multiple: q.multiple,
      choices: q.choices.map((c) => ({ id: c.key, text: c.text[lang] })),
    })),
    startedAt: a.startedAt.toISOString(),
    expiresAt: a.expiresAt.toISOString(),
    submitted: a.submittedAt !== null,
  };
}

/** A worker's latest graded sittings of a module, newest first (the cool-down rule). */
const RECENT_SITTINGS_SQL = `SELECT passed, submitted_at FROM attempts
  WHERE worker_id = ? AND module_id = ? AND submitted_at IS NOT NULL ORDER BY submitted_at DESC LIMIT ?`;
