import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, IsNull, MoreThan } from 'typeorm';
import { AccessService } from '../access/access.service';
import { SubcontractTree } from '../access/subcontract-tree';
import { AuditService, SYSTEM, type AuditActor } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { issueEnrollmentCode } from '../auth/tokens';
import { todayJst } from '../common/dates';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ContentService } from '../content/content.service';
import { decrypted } from '../database/columns';
import { placeholders, portableSql } from '../database/portable-sql';
import { TransactionService } from '../database/transaction.service';
import { Engagement } from '../engagements/engagement.entity';
import { DEFAULT_REMINDER_DAYS } from '../engagements/engagements.service';
import { SubcontractLink } from '../engagements/subcontract-link.entity';
import { Organization } from '../organizations/organization.entity';
import { forEachWorkerSummary, loadWorkerRows, type WorkerSummary } from '../reports/tracking-data';
import { Assignment } from '../workers/assignment.entity';
import { Worker } from '../workers/worker.entity';
import { mailLinks } from './links';
import type { OutgoingMail } from './mail-kinds';
import { chunks, OutboxService } from './outbox.service';

/** What a round of reminders did: reminded (training reminders), invited (the invitation again), limited (a reminder already today). */
export interface ReminderResult {
  reminded: number;
  invited: number;
  limited: number;
}

/** Adds a round's or a batch's counts to `into`. */
function addTo(into: ReminderResult, r: ReminderResult): void {
  into.reminded += r.reminded;
  into.invited += r.invited;
  into.limited += r.limited;
}

const DAY = 86400_000;
/** Workers reminded per transaction in a round (each batch its own transaction and audit event). */
const REMINDER_BATCH = 1000;
const dayNumber = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY;
const addDays = (date: string, days: number) => new Date((dayNumber(date) + days) * DAY).toISOString().slice(0, 10);

/**
 * The step of an engagement's schedule that `daysLeft` falls in: the
 * smallest scheduled number of days at or above it ([14, 3] and 10 days
 * left: 14; 3 left: 3), or null before the first step.
 */
export function currentStep(schedule: number[], daysLeft: number): number | null {
  const steps = schedule.filter((d) => d >= daysLeft);
  return steps.length ? Math.min(...steps) : null;
}

/**
 * Reminders to the workers of an engagement who have not finished (no
 * valid certificate, none revoked): a worker who never enrolled gets the
 * invitation again with a fresh e-mailed code; the others a reminder with
 * their progress. A manager or the town sends them (`engagement.reminders.send`,
 * to the people the caller sees in progress); the scheduler sends them by
 * itself on the engagement's `reminderDays` before the start.
 *
 * Never more than one a day to a person: the key
 * `reminder:<engagement>:<worker>:<JST date>` makes the same reminder
 * impossible twice (several instances, a second click), and the outbox's
 * `reminder` limit (one per JST day per address) covers several
 * engagements. `assignments.last_reminded_at` records the last one queued,
 * shown in progress.
 */
@Injectable()
export class RemindersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly access: AccessService,
    private readonly content: ContentService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A manager's or the town's reminder to the unfinished workers they see on the engagement.
   * @throws DomainError `engagement.not_found` (404), `access.forbidden` (403)
   */
  async send(user: AuthUser, engagementId: string, now = new Date()): Promise<ReminderResult> {
    const engagement = await this.access.engagement(user, engagementId, 'engagement.reminders.send');
    const tree = await this.access.tree(engagement);
    return this.remind(engagement, this.access.trackingScope(user, tree).people, user, now);
  }

  /**
   * The scheduler's round: for every engagement not started yet whose
   * schedule has reached a step, the unfinished workers not reminded since
   * that step began. A step missed while no instance ran is caught up on
   * the next round before the following step.
   */
  async remindDue(now = new Date()): Promise<ReminderResult> {
    const today = todayJst(now);
    const total: ReminderResult = { reminded: 0, invited: 0, limited: 0 };
    const engagements = await this.db.getRepository(Engagement).findBy({ startsOn: MoreThan(today) });
    for (const e of engagements) {
      const step = currentStep(e.reminderDays ?? DEFAULT_REMINDER_DAYS, dayNumber(e.startsOn) - dayNumber(today));
      if (step === null) continue;
      const stepStart = addDays(e.startsOn, -step);
      const links = await this.db.getRepository(SubcontractLink).findBy({ engagementId: e.id });
      const everyone = new Set(new SubcontractTree(e.primeOrganizationId, links).all());
      const r = await this.remind(e, everyone, SYSTEM, now, (last) => !last || todayJst(last) < stepStart);
      addTo(total, r);
    }
    return total;
  }

  private async remind(
    engagement: Engagement,
    people: ReadonlySet<string>,
    actor: AuditActor,
    now: Date,
    due: (lastRemindedAt: Date | null) => boolean = () => true,
  ): Promise<ReminderResult> {
    const unfinished: WorkerSummary[] = [];
    await forEachWorkerSummary(
      this.db,
      this.content,
      engagement,
      people,
      (w) => {
        if (
          (w.status === 'not_enrolled' || w.status === 'not_started' || w.status === 'in_progress') &&
          w.certificate?.status !== 'revoked'
        )
          unfinished.push(w);
      },
      now,
    );
    const result: ReminderResult = { reminded: 0, invited: 0, limited: 0 };
    if (!unfinished.length) return result;
    const details = new Map<string, { email: string; enrolled: boolean; lastRemindedAt: Date | null }>();
    for (const chunk of chunks(
      unfinished.map((w) => w.id),
      500,
    )) {
      const rows = (await this.db.query(
        portableSql(
          this.db,
          `SELECT w.id, w.email, w.enrolled_at, a.last_reminded_at FROM workers w
           JOIN assignments a ON a.worker_id = w.id AND a.engagement_id = ? WHERE w.id IN (${placeholders(chunk.length)})`,
        ),
        [engagement.id, ...chunk],
      )) as { id: string; email: string; enrolled_at: string | null; last_reminded_at: string | null }[];
      for (const r of rows)
        details.set(r.id, {
          email: decrypted('workers.email', r.email),
          enrolled: r.enrolled_at !== null,
          lastRemindedAt: r.last_reminded_at ? new Date(r.last_reminded_at) : null,
        });
    }
    const workers = unfinished.filter((w) => details.has(w.id) && due(details.get(w.id)!.lastRemindedAt));
    if (!workers.length) return result;
    const total = engagement.curriculum.filter((id) => this.content.has(id)).length;
    const orgNames = new Map(
      (await this.db.getRepository(Organization).findBy({ id: In([...new Set(workers.map((w) => w.organizationId))]) })).map((o) => [
        o.id,
        o.name,
      ]),
    );
    // A batch a transaction, the event loop free between them: a round over 100,000 workers held the
    // database's write lock and the event loop for minutes in one transaction (README, Performance). Each
    // worker's reminder stands alone: a round stopped half-way is finished by the next one (the outbox's
    // key per worker and day, and `last_reminded_at`, keep anyone from being reminded twice).
    for (const batch of chunks(workers, REMINDER_BATCH)) {
      const r = await this.remindBatch(engagement, batch, details, orgNames, total, actor, now);
      addTo(result, r);
      await nextTurn();
    }
    return result;
  }

  /** One batch of a round's reminders, in one transaction: the mails queued, the codes renewed, the assignments stamped, the audit event. */
  private async remindBatch(
    engagement: Engagement,
    workers: WorkerSummary[],
    details: ReadonlyMap<string, { email: string; enrolled: boolean; lastRemindedAt: Date | null }>,
    orgNames: ReadonlyMap<string, string>,
    total: number,
    actor: AuditActor,
    now: Date,
  ): Promise<ReminderResult> {
    const result: ReminderResult = { reminded: 0, invited: 0, limited: 0 };
    const done = new Map<string, number>();
    for (const chunk of chunks(workers, 500))
      for (const row of await loadWorkerRows(this.db, this.content, engagement, chunk, now))
        done.set(row.id, row.modules.filter((x) => x.status === 'completed').length);
    const links = mailLinks(this.config.publicBaseUrl);
    const today = todayJst(now);
    await this.tx.run(async (m) => {
      const mails: OutgoingMail[] = [];
      const codes: ({ hash: string; expiresAt: Date } | null)[] = [];
      for (const w of workers) {
        const d = details.get(w.id)!;
        const key = `reminder:${engagement.id}:${w.id}:${today}`;
        if (d.enrolled) {
          codes.push(null);
          mails.push({
            kind: 'training_reminder',
            to: d.email,
            key,
            params: {
              name: w.name,
              engagement: engagement.title,
              startsOn: engagement.startsOn,
              done: done.get(w.id) ?? 0,
              total,
              link: links.learn(),
            },
          });
          continue;
        }
        const { code, hash, expiresAt } = issueEnrollmentCode(now);
        codes.push({ hash, expiresAt });
        mails.push({
          kind: 'worker_invitation_reminder',
          to: d.email,
          key,
          params: {
            name: w.name,
            organization: orgNames.get(w.organizationId) ?? '',
            loginId: d.email,
            link: links.enroll(code),
            code,
            expiresAt: expiresAt.toISOString(),
            engagement: engagement.title,
            startsOn: engagement.startsOn,
          },
        });
      }
      const outcomes = await this.outbox.enqueueMany(m, mails, actor, now);
      const reminded: string[] = [];
      for (const [i, outcome] of outcomes.entries()) {
        // Already reminded today: by this engagement's key, or by another engagement's (the daily limit).
        if (outcome === 'rate_limited' || outcome === 'duplicate') result.limited++;
        if (outcome !== 'queued') continue;
        const w = workers[i];
        reminded.push(w.id);
        const code = codes[i];
        if (!code) {
          result.reminded++;
          continue;
        }
        result.invited++;
        // The new e-mailed code replaces the last one; the manager's code still works.
        await m.update(
          Worker,
          { id: w.id, enrolledAt: IsNull() },
          { invitationCodeHash: code.hash, invitationCodeExpiresAt: code.expiresAt, updatedAt: now },
        );
      }
      for (const chunk of chunks(reminded, 500))
        await m.update(Assignment, { engagementId: engagement.id, workerId: In(chunk) }, { lastRemindedAt: now });
      if (reminded.length || result.limited)
        await this.audit.record(m, {
          action: 'reminders.sent',
          actor,
          targetType: 'engagement',
          targetId: engagement.id,
          engagementId: engagement.id,
          details: { reminded: result.reminded, invited: result.invited, limited: result.limited, automatic: actor === SYSTEM },
        });
    });
    return result;
  }
}
