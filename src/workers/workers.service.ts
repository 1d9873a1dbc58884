import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { emailIndexes } from '../database/columns';
import { AccessService } from '../access/access.service';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { enrollmentCodeHash, issueEnrollmentCode, printedEnrollmentCode } from '../auth/tokens';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { mailLinks } from '../mail/links';
import type { OutgoingMail } from '../mail/mail-kinds';
import { OutboxService } from '../mail/outbox.service';
import { Organization } from '../organizations/organization.entity';
import { decodeCsvBuffer, detectDelimiter, parseCsv } from '../common/csv/csv';
import { decodeCursor, invalidCursor, toPage } from '../common/pagination/pagination';
import { TransactionService } from '../database/transaction.service';
import { CreateWorkerDto } from './dto/worker.dto';
import { Worker } from './worker.entity';
import { Assignment } from './assignment.entity';
import { Certificate } from '../certificates/certificate.entity';
import { todayJst } from '../common/dates';
import { Engagement } from '../engagements/engagement.entity';
import { effectiveStatus } from '../certificates/standing';
import { type CsvRowError, parseWorkerRows } from './worker-csv';
import { gojuonOrder } from './worker-order';

export const workerView = (w: Worker) => ({
  id: w.id,
  name: w.name,
  furigana: w.furigana ?? null,
  email: w.email,
  employeeNumber: w.employeeNumber,
  enrolled: w.enrolledAt !== null,
});

/** Refused lines reported in detail; `errorCount` counts them all. Bounds the answer (and its memory) for any file. */
export const MAX_REPORTED_ERRORS = 1000;

/** Rows of an import handled at a time inside its one transaction (the e-mail lookup's IN list, the inserts, the invitations). */
const IMPORT_PAGE = 500;

export interface IssuedCode {
  name: string;
  email: string;
  employeeNumber: string | null;
  enrollmentCode: string;
  expiresAt: string;
  /** The CSV line the worker came from (imports only). */
  line?: number;
}

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  /** How many lines were refused. */
  errorCount: number;
  /** The first MAX_REPORTED_ERRORS refused lines, in file order. */
  errors: CsvRowError[];
  /** Only with includeCodes: the codes issued by this import. */
  codes?: IssuedCode[];
}

@Injectable()
export class WorkersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The invitation e-mail of a newly registered worker (docs/mail.md): the
   * enrollment link with a code of its own (`invitationCodeHash`, sent only to
   * the address, so enrolling with it proves the address), the login ID (the
   * address) and the deadline. Sets the code on `w`; the message is queued in
   * `m`'s transaction by the caller, with the others of the same use case.
   */
  invitation(w: Worker, organization: string, now: Date): OutgoingMail<'worker_invitation'> {
    const { code, hash, expiresAt } = issueEnrollmentCode(now);
    w.invitationCodeHash = hash;
    w.invitationCodeExpiresAt = expiresAt;
    return {
      kind: 'worker_invitation',
      to: w.email,
      key: `worker-invitation:${w.id}`,
      params: {
        name: w.name,
        organization,
        loginId: w.email,
        link: mailLinks(this.config.publicBaseUrl).enroll(code),
        code,
        expiresAt: expiresAt.toISOString(),
      },
    };
  }

  private async organizationName(m: EntityManager, orgId: string): Promise<string> {
    return (await m.findOneBy(Organization, { id: orgId }))?.name ?? '';
  }

  /**
   * Registers a worker, issues their enrollment code (`organization.workers.create`: those who control the organization)
   * and sends them the invitation e-mail.
   * @throws DomainError `organization.not_found` (404), `worker.email_taken` (409: the e-mail is already registered in the organization)
   */
  async create(user: AuthUser, orgId: string, dto: CreateWorkerDto) {
    await this.access.require(user, 'organization.workers.create', orgId);
    return this.tx.run(async (m) => {
      if (await m.existsBy(Worker, { organizationId: orgId, emailIndex: In(emailIndexes(dto.email)) }))
        throw new DomainError('worker.email_taken');
      const now = new Date();
      const worker: Worker = {
        id: randomUUID(),
        organizationId: orgId,
        name: dto.name,
        furigana: dto.furigana || null,
        email: dto.email,
        employeeNumber: dto.employeeNumber || null,
        enrollmentCodeHash: null,
        enrollmentCodeExpiresAt: null,
        enrolledAt: null,
        createdAt: now,
        updatedAt: now,
      };
      const code = this.issueCode(worker, now);
      const invitation = this.invitation(worker, await this.organizationName(m, orgId), now);
      await m.insert(Worker, worker);
      await this.outbox.enqueue(m, invitation, user);
      await this.audit.record(m, {
        action: 'workers.created',
        actor: user,
        targetType: 'worker',
        targetId: worker.id,
        details: { organizationId: orgId },
      });
      return { ...workerView(worker), enrollmentCode: code, enrollmentCodeExpiresAt: worker.enrollmentCodeExpiresAt!.toISOString() };
    });
  }

  /**
   * The organization's workers the caller may see (`organization.workers.read`):
   * all of them for those who control it, else only those assigned to an
   * engagement through which the caller sees people.
   * @throws DomainError `organization.not_found` (404) for a caller who sees none of its people
   */
  async list(user: AuthUser, orgId: string, limit: number, cursor?: string) {
    const qb = await this.access.scopeWorkers(this.db.getRepository(Worker).createQueryBuilder('w'), user, orgId);
    // 五十音順 by フリガナ (worker-order.ts) is ICU's collation, which neither database orders by portably, and
    // names and フリガナ are to be stored encrypted (issue 22): the organization's visible workers are sorted
    // here, in memory (an organization has thousands at most). The cursor holds only the last row's id:
    // names never go into URLs; an id the caller does not see is refused like a malformed cursor.
    const rows = (await qb.getMany()).sort(gojuonOrder);
    const after = decodeCursor(cursor);
    let start = 0;
    if (after) {
      start = rows.findIndex((w) => w.id === after[1]) + 1;
      if (start === 0) throw invalidCursor();
    }
    return toPage(rows.slice(start, start + limit + 1), limit, (w) => ['', w.id], workerView);
  }

  /**
   * CSV import (Excel's Shift_JIS or UTF-8). Good rows are written in one
   * transaction and bad lines reported and skipped, never half-written; a
   * re-import of the same file updates by e-mail instead of duplicating.
   */
  async import(user: AuthUser, orgId: string, body: unknown, includeCodes: boolean): Promise<ImportResult> {
    await this.access.require(user, 'organization.workers.create', orgId);
    if (includeCodes) await this.access.require(user, 'organization.codes.issue', orgId);
    if (!Buffer.isBuffer(body) || body.length === 0) throw new DomainError('csv.not_csv', {}, 'body');
    const { text } = decodeCsvBuffer(body);
    const { rows, errors } = parseWorkerRows(parseCsv(text, { delimiter: detectDelimiter(text) }));
    const result: ImportResult = {
      created: 0,
      updated: 0,
      unchanged: 0,
      errorCount: errors.length,
      errors: errors.slice(0, MAX_REPORTED_ERRORS),
      ...(includeCodes ? { codes: [] } : {}),
    };
    await this.tx.run(async (m) => {
      const now = new Date();
      const organization = await this.organizationName(m, orgId);
      // A page of rows at a time, in the one transaction: what a page creates (workers, their invitations)
      // is written before the next page is read, so a 10,000-row file never holds 10,000 workers and
      // invitations at once (issue 17: the import was the service's memory peak). A file repeats no
      // address (worker-csv.ts), so a page's lookup cannot miss a worker an earlier page created.
      for (const page of chunks(rows, IMPORT_PAGE)) {
        const existing = new Map<string, Worker>();
        for (const w of await m.findBy(Worker, { organizationId: orgId, emailIndex: In(page.flatMap((r) => emailIndexes(r.email))) }))
          existing.set(w.email, w);
        const inserts: Worker[] = [];
        const invitations: OutgoingMail[] = [];
        for (const { line, ...row } of page) {
          const old = existing.get(row.email);
          if (!old) {
            const w: Worker = {
              id: randomUUID(),
              organizationId: orgId,
              ...row,
              furigana: row.furigana ?? null,
              enrollmentCodeHash: null,
              enrollmentCodeExpiresAt: null,
              enrolledAt: null,
              createdAt: now,
              updatedAt: now,
            };
            const code = this.issueCode(w, now);
            invitations.push(this.invitation(w, organization, now));
            inserts.push(w);
            result.created++;
            result.codes?.push(codeRow(w, code, line));
            continue;
          }
          // A file without a フリガナ column keeps the stored ones.
          const furigana = row.furigana === undefined ? (old.furigana ?? null) : row.furigana;
          const changed = old.name !== row.name || old.employeeNumber !== row.employeeNumber || (old.furigana ?? null) !== furigana;
          // Codes are stored hashed, so handing them out again means issuing new ones.
          const reissue = includeCodes && !old.enrolledAt;
          if (!changed && !reissue) {
            result.unchanged++;
            continue;
          }
          const patch: Partial<Worker> = { name: row.name, furigana, employeeNumber: row.employeeNumber, updatedAt: now };
          if (reissue) result.codes?.push(codeRow({ ...old, ...patch } as Worker, this.issueCode(patch, now), line));
          await m.update(Worker, { id: old.id }, patch);
          if (changed) result.updated++;
          else result.unchanged++;
        }
        // Ids and times are ours: nothing to read back after the insert (TypeORM's `updateEntity` re-reads each chunk).
        for (const chunk of chunks(inserts, 200))
          await m.createQueryBuilder().insert().into(Worker).values(chunk).updateEntity(false).execute();
        await this.outbox.enqueueMany(m, invitations, user, now);
      }
      await this.audit.record(m, {
        action: 'workers.imported',
        actor: user,
        targetType: 'organization',
        targetId: orgId,
        details: {
          created: result.created,
          updated: result.updated,
          unchanged: result.unchanged,
          errors: result.errorCount,
          codesIssued: result.codes?.length ?? 0,
        },
      });
    });
    return result;
  }

  /**
   * New codes for every worker of the organization who has not enrolled yet (old codes stop working), 五十音順.
   * The codes exist in the clear only in this answer: the API and the page each write them as CSV.
   */
  async reissueCodes(user: AuthUser, orgId: string): Promise<IssuedCode[]> {
    await this.access.require(user, 'organization.codes.issue', orgId);
    const codes = await this.tx.run(async (m) => {
      const workers = (await m.find(Worker, { where: { organizationId: orgId, enrolledAt: IsNull() } })).sort(gojuonOrder);
      const now = new Date();
      const out: IssuedCode[] = [];
      for (const w of workers) {
        const code = this.issueCode(w, now);
        await m.update(
          Worker,
          { id: w.id },
          { enrollmentCodeHash: w.enrollmentCodeHash, enrollmentCodeExpiresAt: w.enrollmentCodeExpiresAt, updatedAt: now },
        );
        out.push(codeRow(w, code));
      }
      await this.audit.record(m, {
        action: 'workers.codes_reissued',
        actor: user,
        targetType: 'organization',
        targetId: orgId,
        details: { codesIssued: out.length },
      });
      return out;
    });
    return codes;
  }

  /**
   * A new enrollment code for one worker who has not enrolled yet (`organization.codes.issue` on the
   * worker's organization); their earlier code stops working. The code exists in the clear only in
   * this answer (the page prints it on the sign-up slip). Conditional update: a worker who enrolled
   * meanwhile gets no code.
   * @throws DomainError `worker.not_found` (404: unknown, or not of an organization the caller controls),
   *   `worker.already_enrolled` (409)
   */
  async reissueCode(user: AuthUser, workerId: string): Promise<IssuedCode & { workerId: string }> {
    const worker = await this.db.getRepository(Worker).findOneBy({ id: workerId });
    if (!worker || !(await this.access.can(user, 'organization.codes.issue', worker.organizationId)))
      throw new DomainError('worker.not_found');
    return this.tx.run(async (m) => {
      const now = new Date();
      const code = this.issueCode(worker, now);
      const r = await m.update(
        Worker,
        { id: worker.id, enrolledAt: IsNull() },
        { enrollmentCodeHash: worker.enrollmentCodeHash, enrollmentCodeExpiresAt: worker.enrollmentCodeExpiresAt, updatedAt: now },
      );
      if (!r.affected) throw new DomainError('worker.already_enrolled');
      await this.audit.record(m, {
        action: 'workers.code_reissued',
        actor: user,
        targetType: 'worker',
        targetId: worker.id,
        details: { organizationId: worker.organizationId },
      });
      return { ...codeRow(worker, code), workerId: worker.id };
    });
  }

  /**
   * The code a manager was shown once, right after adding the worker, given back to print the worker's
   * sign-up slip (`organization.codes.issue` on the worker's organization, as issuing it). Nothing changes:
   * the code is only checked against the worker's stored hash (tokens.ts `enrollmentCodeHash`, the same
   * normalisation as enrolling) and must still be the one that enrols them; the code lives in the clear
   * only in the request and this answer (never a URL, a log or the audit trail).
   * @throws DomainError `worker.not_found` (404: unknown, or not of an organization the caller controls),
   *   `worker.slip_code_invalid` (400: not the worker's current code — mistyped, replaced by a reissue, used
   *   to enrol — or expired)
   */
  async currentCode(user: AuthUser, workerId: string, code: string): Promise<IssuedCode> {
    const worker = await this.db.getRepository(Worker).findOneBy({ id: workerId });
    if (!worker || !(await this.access.can(user, 'organization.codes.issue', worker.organizationId)))
      throw new DomainError('worker.not_found');
    const stored = worker.enrollmentCodeHash;
    const given = enrollmentCodeHash(code);
    const current =
      !worker.enrolledAt &&
      stored !== null &&
      stored.length === given.length &&
      timingSafeEqual(Buffer.from(stored), Buffer.from(given)) &&
      !!worker.enrollmentCodeExpiresAt &&
      worker.enrollmentCodeExpiresAt > new Date();
    if (!current) throw new DomainError('worker.slip_code_invalid', {}, 'enrollmentCode');
    return codeRow(worker, printedEnrollmentCode(code));
  }

  /**
   * What a sign-up slip says beside the code (`organization.codes.issue`): the organization's name and,
   * per worker not enrolled yet (keyed by e-mail, unique within the organization), their フリガナ and the
   * first start date (YYYY-MM-DD, JST) of an engagement they are assigned to that has not started yet:
   * the day their training should be done by. Read here, with the workers' other personal data.
   * @throws DomainError `organization.not_found` (404)
   */
  async slipFacts(
    user: AuthUser,
    orgId: string,
  ): Promise<{ organization: string; workers: Map<string, { furigana: string | null; startsOn: string | null }> }> {
    await this.access.require(user, 'organization.codes.issue', orgId);
    const workers = await this.db.getRepository(Worker).findBy({ organizationId: orgId, enrolledAt: IsNull() });
    const starts = new Map<string, string>();
    const today = todayJst();
    for (const chunk of chunks(
      workers.map((w) => w.id),
      500,
    )) {
      const rows = await this.db
        .getRepository(Assignment)
        .createQueryBuilder('a')
        .innerJoin(Engagement, 'e', 'e.id = a.engagement_id')
        .select('a.worker_id', 'workerId')
        .addSelect('MIN(e.starts_on)', 'startsOn')
        .where('a.worker_id IN (:...ids) AND e.starts_on >= :today', { ids: chunk, today })
        .groupBy('a.worker_id')
        .getRawMany<{ workerId: string; startsOn: string }>();
      for (const r of rows) starts.set(r.workerId, r.startsOn);
    }
    return {
      organization: await this.organizationName(this.db.manager, orgId),
      workers: new Map(workers.map((w) => [w.email, { furigana: w.furigana ?? null, startsOn: starts.get(w.id) ?? null }])),
    };
  }

  /**
   * Takes a worker off an engagement (`engagement.assignments.delete`: a manager of the worker's own
   * organization, the one who assigns). Refused while the worker holds a certificate for the
   * engagement that reads valid (standing.ts effectiveStatus): the Article 11 report would lose a
   * certified person; once the town has revoked it (or it expired) the worker may be taken off. The
   * worker's completions stay (they are the worker's, and count again if they are assigned back).
   * @throws DomainError `engagement.not_found` (404), `worker.not_found` (404: unknown, or not the
   *   caller's), `assignment.not_found` (404: not assigned), `assignment.certified` (409)
   */
  async unassign(user: AuthUser, engagementId: string, workerId: string): Promise<{ unassigned: string }> {
    const engagement = await this.access.engagement(user, engagementId);
    const worker = await this.db.getRepository(Worker).findOneBy({ id: workerId });
    if (!worker) throw new DomainError('worker.not_found');
    await this.access.require(user, 'engagement.assignments.delete', { engagement, workerOrganizationId: worker.organizationId });
    await this.tx.run(async (m) => {
      const certificates = await m.findBy(Certificate, { engagementId, workerId });
      const now = new Date();
      if (certificates.some((c) => effectiveStatus(c, now) === 'valid')) throw new DomainError('assignment.certified');
      const r = await m.delete(Assignment, { engagementId, workerId });
      if (!r.affected) throw new DomainError('assignment.not_found');
      await this.audit.record(m, {
        action: 'assignments.deleted',
        actor: user,
        targetType: 'engagement',
        targetId: engagementId,
        engagementId,
        details: { organizationId: worker.organizationId, workerId },
      });
    });
    return { unassigned: workerId };
  }

  /**
   * Puts workers on an engagement: the manager's own workers, and only when
   * their organization is on it (`engagement.assignments.create`) and not refused.
   * @throws DomainError `engagement.not_found` (404: unknown, or the organization is not on it; the same answer);
   *   `worker.not_found` (404) for a worker not of the caller's organization; `assignment.organization_refused` (409)
   */
  async assign(user: AuthUser, engagementId: string, workerIds: string[]) {
    const engagement = await this.access.engagement(user, engagementId, 'engagement.assignments.create');
    const ids = [...new Set(workerIds)];
    const orgId = user.organizationId!;
    const workers = await this.db.getRepository(Worker).findBy({ id: In(ids), organizationId: orgId });
    if (workers.length !== ids.length) throw new DomainError('worker.not_found');
    const tree = await this.access.tree(engagement);
    if (tree.link(orgId)?.status === 'rejected') throw new DomainError('assignment.organization_refused');
    await this.tx.run(async (m) => {
      const already = new Set((await m.findBy(Assignment, { engagementId, workerId: In(ids) })).map((a) => a.workerId));
      const now = new Date();
      const rows = ids
        .filter((id) => !already.has(id))
        .map((workerId) => ({ engagementId, workerId, assignedBy: user.id, assignedAt: now }));
      for (const chunk of chunks(rows, 300)) await m.insert(Assignment, chunk);
      await this.audit.record(m, {
        action: 'assignments.created',
        actor: user,
        targetType: 'engagement',
        targetId: engagementId,
        engagementId,
        details: { organizationId: orgId, added: rows.length, workerIds: rows.map((r) => r.workerId) },
      });
    });
    return { assigned: ids };
  }

  /**
   * The caller's own workers (up to `limit`, by name) for the assignment form of an engagement they
   * can see, each marked when already assigned to it.
   * @throws DomainError `engagement.not_found` (404), `organization.not_found` (404)
   */
  async forAssignment(user: AuthUser, engagementId: string, limit: number) {
    const assigned = new Set(await this.assignedWorkerIds(user, engagementId));
    const page = await this.list(user, user.organizationId ?? '', limit);
    return page.items.map((w) => ({ ...w, assigned: assigned.has(w.id) }));
  }

  /** Ids of the caller's own workers already on an engagement they can see. */
  private async assignedWorkerIds(user: AuthUser, engagementId: string): Promise<string[]> {
    await this.access.engagement(user, engagementId);
    const rows = await this.db
      .getRepository(Assignment)
      .createQueryBuilder('a')
      .innerJoin(Worker, 'w', 'w.id = a.worker_id')
      .select('a.worker_id', 'workerId')
      .where('a.engagement_id = :engagementId AND w.organization_id = :orgId', { engagementId, orgId: user.organizationId ?? '' })
      .getRawMany<{ workerId: string }>();
    return rows.map((r) => r.workerId);
  }

  /** Sets a fresh code on the worker object and returns it in the clear, the only time it exists so. */
  private issueCode(w: Partial<Worker>, now: Date): string {
    const { code, hash, expiresAt } = issueEnrollmentCode(now);
    w.enrollmentCodeHash = hash;
    w.enrollmentCodeExpiresAt = expiresAt;
    return code;
  }
}

function codeRow(w: Worker, code: string, line?: number): IssuedCode {
  return {
    name: w.name,
    email: w.email,
    employeeNumber: w.employeeNumber,
    enrollmentCode: code,
    expiresAt: w.enrollmentCodeExpiresAt!.toISOString(),
    ...(line === undefined ? {} : { line }),
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
