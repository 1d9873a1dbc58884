import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { AuthUser } from '../auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import { ContentService } from '../content/content.service';
import type { Localized } from '../content/content.types';
import { forEachRow, portableSql } from '../database/portable-sql';
import type { DrawnQuestion, GivenAnswer } from '../training/attempt.entity';
import { answeredRight } from '../training/grading';
import type { AnalysedAttempts } from './dto/item-analysis-query.dto';
import { ItemFlag, ItemResponse, ItemStatistics, MIN_ATTEMPTS_FOR_FLAGS, TOO_EASY_FACILITY } from './item-statistics';

/** One choice of a question with how often it was picked. */
export interface ChoiceFrequency {
  /** The content file's choice id (`a`, `b`, …), the same in every sitting. */
  id: string;
  text: Localized;
  correct: boolean;
  /** Sittings that picked it. */
  count: number;
  /** count / attempts; null without attempts. */
  share: number | null;
}

/** One question's row of the analysis. */
export interface QuestionAnalysis {
  id: string;
  article: string;
  text: Localized;
  multiple: boolean;
  attempts: number;
  right: number;
  facility: number | null;
  discrimination: number | null;
  unanswered: number;
  flags: ItemFlag[];
  choices: ChoiceFrequency[];
}

/** The item analysis of one module at one revision. No personal data: no worker, organization or engagement. */
export interface ItemAnalysis {
  moduleId: string;
  title: Localized;
  revision: number;
  currentRevision: number;
  attempts: AnalysedAttempts;
  /** Graded sittings analysed. */
  sittings: number;
  thresholds: { minimumAttempts: number; tooEasyFacility: number };
  /** Every revision with graded sittings, newest first, and the current one. */
  revisions: { revision: number; sittings: number }[];
  questions: QuestionAnalysis[];
}

/** A module in the analysis list: its current revision's sittings and flagged questions. */
export interface ModuleAnalysisSummary {
  moduleId: string;
  title: Localized;
  revision: number;
  sittings: number;
  questions: number;
  flagged: number;
  flags: Record<ItemFlag, number>;
}

/** The question as the analysis shows it: from the content when the revision is current, else from a stored sitting. */
interface QuestionShape {
  id: string;
  article: string;
  text: Localized;
  multiple: boolean;
  choices: { id: string; text: Localized; correct: boolean }[];
}

/**
 * Item analysis (Moodle's quiz statistics are the model; definitions in
 * item-statistics.ts and docs/item-analysis.md): per question of a module at
 * one revision, from its graded sittings, the attempts, facility index,
 * discrimination index, how often each choice was picked, and flags. For the
 * admin and content authors (`content.item_analysis.read`).
 *
 * The sittings are streamed (forEachRow): a module may have 100,000 of them,
 * and only per-question sums are held. Only the stored sittings and answers
 * are read — never who sat them — so nothing in the answer is about a person.
 */
@Injectable()
export class ItemAnalysisService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly content: ContentService,
  ) {}

  /**
   * The analysis of `moduleId` at `revision` (default: the current one) over
   * each worker's first graded sitting at that revision (`attempts: 'first'`,
   * Moodle's default) or every graded sitting (`'all'`, each one counted as independent).
   * @throws DomainError `access.forbidden` (403) unless admin or content author; `module.not_found` (404)
   */
  async analyse(user: AuthUser, moduleId: string, q: { revision?: number; attempts?: AnalysedAttempts } = {}): Promise<ItemAnalysis> {
    await this.access.require(user, 'content.item_analysis.read', null);
    if (!this.content.has(moduleId)) throw new DomainError('module.not_found');
    const module = this.content.get(moduleId);
    const revision = q.revision ?? module.revision;
    const attempts = q.attempts ?? 'first';
    const stats = new ItemStatistics();
    const shapes = new Map<string, QuestionShape>();
    if (revision === module.revision)
      for (const bankQuestion of module.questions)
        shapes.set(bankQuestion.id, {
          id: bankQuestion.id,
          article: bankQuestion.article,
          text: { ...bankQuestion.text },
          multiple: bankQuestion.multiple,
          choices: bankQuestion.choices.map((c) => ({ id: c.id, text: { ...c.text }, correct: c.correct })),
        });
    await this.eachSitting(moduleId, revision, attempts, (questions, answers) => {
      const given = new Map(answers.map((a) => [a.questionId, a.choiceKeys]));
      const sitting: ItemResponse[] = [];
      for (const dq of questions) {
        if (!shapes.has(dq.id)) shapes.set(dq.id, shapeOf(dq));
        const keys = given.get(dq.id) ?? [];
        const chosen = dq.choices.filter((c) => keys.includes(c.key)).map((c) => c.id);
        sitting.push({ questionId: dq.id, right: answeredRight(dq, keys), chosen });
      }
      if (sitting.length) stats.add(sitting);
    });
    // An earlier revision's questions come from its sittings, in the order first met: list them by id.
    const ordered = [...shapes.values()];
    if (revision !== module.revision) ordered.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return {
      moduleId,
      title: { ...module.title },
      revision,
      currentRevision: module.revision,
      attempts,
      sittings: stats.sittings,
      thresholds: { minimumAttempts: MIN_ATTEMPTS_FOR_FLAGS, tooEasyFacility: TOO_EASY_FACILITY },
      revisions: await this.revisions(moduleId, module.revision),
      questions: ordered.map((shape) => {
        const s = stats.statistic(shape.id);
        return {
          id: shape.id,
          article: shape.article,
          text: shape.text,
          multiple: shape.multiple,
          attempts: s.attempts,
          right: s.right,
          facility: s.facility,
          discrimination: s.discrimination,
          unanswered: s.unanswered,
          flags: s.flags,
          choices: shape.choices.map((c) => {
            const count = s.choiceCounts[c.id] ?? 0;
            return { id: c.id, text: c.text, correct: c.correct, count, share: s.attempts ? count / s.attempts : null };
          }),
        };
      }),
    };
  }

  /**
   * Every module of the catalog at its current revision: sittings analysed
   * (first attempts) and how many of its questions carry a flag.
   * @throws DomainError `access.forbidden` (403) unless admin or content author
   */
  async summaries(user: AuthUser): Promise<ModuleAnalysisSummary[]> {
    await this.access.require(user, 'content.item_analysis.read', null);
    const out: ModuleAnalysisSummary[] = [];
    // One module at a time: each read streams, and the next starts when it ends.
    for (const m of this.content.list()) {
      const a = await this.analyse(user, m.id);
      const flags: Record<ItemFlag, number> = { too_easy: 0, negative_discrimination: 0 };
      for (const question of a.questions) for (const f of question.flags) flags[f]++;
      out.push({
        moduleId: m.id,
        title: { ...m.title },
        revision: m.revision,
        sittings: a.sittings,
        questions: a.questions.length,
        flagged: a.questions.filter((question) => question.flags.length).length,
        flags,
      });
    }
    return out;
  }

  /** Revisions with graded sittings, newest first, the current one always among them. */
  private async revisions(moduleId: string, current: number): Promise<{ revision: number; sittings: number }[]> {
    const rows = await this.db.query<{ revision: number | string; n: number | string }[]>(
      portableSql(
        this.db,
        'SELECT revision, COUNT(*) AS n FROM attempts WHERE module_id = ? AND submitted_at IS NOT NULL GROUP BY revision',
      ),
      [moduleId],
    );
    const byRevision = new Map(rows.map((r) => [Number(r.revision), Number(r.n)]));
    if (!byRevision.has(current)) byRevision.set(current, 0);
    return [...byRevision].map(([revision, sittings]) => ({ revision, sittings })).sort((a, b) => b.revision - a.revision);
  }

  /**
   * Streams the graded sittings of a module at a revision: the drawn
   * questions (with the answer key) and the answers, nothing else. `first`:
   * only a worker's earliest-started graded sitting at that revision.
   */
  private eachSitting(
    moduleId: string,
    revision: number,
    attempts: AnalysedAttempts,
    each: (questions: DrawnQuestion[], answers: GivenAnswer[]) => void,
  ): Promise<void> {
    const first =
      attempts === 'first'
        ? ` AND NOT EXISTS (SELECT 1 FROM attempts b WHERE b.worker_id = a.worker_id AND b.module_id = a.module_id
             AND b.revision = a.revision AND b.submitted_at IS NOT NULL
             AND (b.started_at < a.started_at OR (b.started_at = a.started_at AND b.id < a.id)))`
        : '';
    return forEachRow<{ questions: string | DrawnQuestion[]; answers: string | GivenAnswer[] | null }>(
      this.db,
      `SELECT a.questions, a.answers FROM attempts a WHERE a.module_id = ? AND a.revision = ? AND a.submitted_at IS NOT NULL${first}`,
      [moduleId, revision],
      (row) => each(json(row.questions) ?? [], json(row.answers) ?? []),
    );
  }
}

/** JSON columns arrive as text (SQLite, PostgreSQL text) and are parsed here, row by row. */
function json<T>(v: string | T | null): T | null {
  if (v === null) return null;
  return typeof v === 'string' ? (JSON.parse(v) as T) : v;
}

/** A question of an earlier revision, as its sitting stored it; choices in the file's order of ids. */
function shapeOf(q: DrawnQuestion): QuestionShape {
  return {
    id: q.id,
    article: q.article,
    text: { ...q.text },
    multiple: q.multiple,
    choices: q.choices
      .map((c) => ({ id: c.id, text: { ...c.text }, correct: c.correct }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}
