import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { pageAfter } from '../common/pagination/page-after';
import { decrypted, emailIndexes } from '../database/columns';
import { AccessService } from '../access/access.service';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { issueEnrollmentCode } from '../auth/tokens';
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
import { type CsvRowError, parseWorkerRows } from './worker-csv';

export const workerView = (w: Worker) => ({
  id: w.id,
  name: w.name,
  email: w.email,
  employeeNumber: w.employeeNumber,
  enrolled: w.enrolledAt !== null,
});

/** Refused lines reported in detail; `errorCount` counts them all. Bounds the answer (and its memory) for any file. */
export const MAX_REPORTED_ERRORS = 1000;

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
    const after = decodeCursor(cursor);
    // Names are encrypted at rest, so SQL cannot sort them: the visible workers' ids and names are
    // read, decrypted and sorted here (name, then id), and only the page's rows are loaded whole.
    // The cursor holds only the last row's id: names never go into URLs. The anchor must be one the
    // caller sees, or its place in the order would tell about a hidden name.
    const named = (await qb.clone().select(['w.id AS id', 'w.name AS name']).getRawMany<{ id: string; name: string }>()).map((r) => ({
      id: r.id,
      name: decrypted('workers.name', r.name),
    }));
    let anchor: { id: string; name: string } | undefined;
    if (after) {
      anchor = named.find((w) => w.id === after[1]);
      if (!anchor) throw invalidCursor();
    }
    const byName = (a: { id: string; name: string }, b: { id: string; name: string }) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    const page = pageAfter(named, limit, byName, anchor);
    const ids = page.items.map((w) => w.id);
    const loaded = new Map((ids.length ? await this.db.getRepository(Worker).findBy({ id: In(ids) }) : []).map((w) => [w.id, w]));
    const rows = ids.map((id) => loaded.get(id)!).filter(Boolean);
    return toPage(page.more ? [...rows, rows[rows.length - 1]] : rows, limit, (w) => ['', w.id], workerView);
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
      const existing = new Map<string, Worker>();
      for (const chunk of chunks(
        rows.map((r) => r.email),
        500,
      ))
        for (const w of await m.findBy(Worker, { organizationId: orgId, emailIndex: In(chunk.flatMap(emailIndexes)) }))
          existing.set(w.email, w);
      const now = new Date();
      const inserts: Worker[] = [];
      const invitations: OutgoingMail[] = [];
      const organization = await this.organizationName(m, orgId);
      for (const { line, ...row } of rows) {
        const old = existing.get(row.email);
        if (!old) {
          const w: Worker = {
            id: randomUUID(),
            organizationId: orgId,
            ...row,
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
        const changed = old.name !== row.name || old.employeeNumber !== row.employeeNumber;
        // Codes are stored hashed, so handing them out again means issuing new ones.
        const reissue = includeCodes && !old.enrolledAt;
        if (!changed && !reissue) {
          result.unchanged++;
          continue;
        }
        const patch: Partial<Worker> = { name: row.name, employeeNumber: row.employeeNumber, updatedAt: now };
        if (reissue) result.codes?.push(codeRow({ ...old, ...patch } as Worker, this.issueCode(patch, now), line));
        await m.update(Worker, { id: old.id }, patch);
        if (changed) result.updated++;
        else result.unchanged++;
      }
      for (const chunk of chunks(inserts, 200)) await m.insert(Worker, chunk);
      await this.outbox.enqueueMany(m, invitations, user, now);
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
   * New codes for every worker of the organization who has not enrolled yet (old codes stop working), by name.
   * The codes exist in the clear only in this answer: the API and the page each write them as CSV.
   */
  async reissueCodes(user: AuthUser, orgId: string): Promise<IssuedCode[]> {
    await this.access.require(user, 'organization.codes.issue', orgId);
    const codes = await this.tx.run(async (m) => {
      // Sorted by name after decryption (names are encrypted at rest), then id.
      const workers = (await m.find(Worker, { where: { organizationId: orgId, enrolledAt: IsNull() } })).sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1,
      );
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
