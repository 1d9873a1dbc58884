import { ConflictException, Inject, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomInt, randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { AccessService } from '../access/access.service';
import { AuditService, SYSTEM } from '../audit/audit.service';
import { SubcontractTree } from '../access/subcontract-tree';
import type { AuthUser } from '../auth/auth-user';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DomainError } from '../common/errors/domain-error';
import { ContentService } from '../content/content.service';
import { placeholders, portableSql } from '../database/portable-sql';
import { TransactionService } from '../database/transaction.service';
import { Engagement } from '../engagements/engagement.entity';
import { EngagementsService } from '../engagements/engagements.service';
import { SubcontractLink } from '../engagements/subcontract-link.entity';
import { Municipality } from '../municipalities/municipality.entity';
import { Completion } from '../training/completion.entity';
import { countingCompletion } from '../training/completion-rules';
import { TrainingService } from '../training/training.service';
import { Assignment } from '../workers/assignment.entity';
import { Worker } from '../workers/worker.entity';
import { Certificate, CertificateStatus, effectiveStatus } from './certificate.entity';
import { buildOpenBadgeCredential } from './credential/open-badge';
import { newSerial, parseSerial } from './credential/serial';
import { SigningKeysService } from './credential/signing-keys.service';
import { emptyBits, encodedList, setBit, STATUS_LIST_SIZE, statusListCredential } from './credential/status-list';
import { StatusList } from './status-list.entity';

const DAY = 86400_000;

/** "山田\u3000太郎" → "山田 *": enough for a person holding the card to recognise it, not enough to identify them. */
export function maskName(name: string): string {
  const [family, ...rest] = name.trim().split(/[\s\u3000]+/);
  return rest.length ? `${family} *` : `${[...family][0] ?? ''}*`;
}

export interface CertificateFacts {
  serial: string;
  status: CertificateStatus;
  validFrom: string;
  validUntil: string;
  issuedAt: string;
  revokedAt: string | null;
  revocationReason: string | null;
  engagement: { id: string; title: string; contractNumber: string; municipality: string; municipalityCode: string };
  organization: { name: string };
  modules: { moduleId: string; revision: number; completedAt: string }[];
  holder: { maskedName: string; name?: string; email?: string };
}

@Injectable()
export class CertificatesService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly access: AccessService,
    private readonly content: ContentService,
    private readonly keys: SigningKeysService,
    private readonly training: TrainingService,
    private readonly engagements: EngagementsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    // Issuance rides in the transaction that made it due: a pass, or the town's approval.
    this.training.onPass(async (m, workerId, engagementId) => {
      const issued = await this.issueDue(m, { workerIds: [workerId] });
      const mine = issued.find((c) => c.engagementId === engagementId);
      return mine ? { serial: mine.serial } : null;
    });
    this.engagements.onApproval(async (m, engagementId) => {
      await this.issueDue(m, { engagementId });
    });
  }

  /**
   * Issues every certificate now due among the given workers' (or one
   * engagement's) assignments: the curriculum complete and the organization
   * eligible (the prime, or every link up to it approved). A worker who
   * re-trained while holding a valid certificate gets a new one and the old
   * reads `superseded`. Held certificates need no queue: they are issued
   * here the moment an approval makes them due.
   */
  async issueDue(m: EntityManager, scope: { workerIds?: string[]; engagementId?: string }): Promise<Certificate[]> {
    const qb = m
      .getRepository(Assignment)
      .createQueryBuilder('a')
      .innerJoin(Worker, 'w', 'w.id = a.worker_id')
      .select(['a.engagement_id AS engagement_id', 'a.worker_id AS worker_id', 'w.organization_id AS organization_id']);
    if (scope.workerIds) qb.where('a.worker_id IN (:...ids)', { ids: scope.workerIds });
    if (scope.engagementId) qb.andWhere('a.engagement_id = :e', { e: scope.engagementId });
    const assignments = await qb.getRawMany<{ engagement_id: string; worker_id: string; organization_id: string }>();
    if (!assignments.length) return [];
    const engagementIds = [...new Set(assignments.map((a) => a.engagement_id))];
    const workerIds = [...new Set(assignments.map((a) => a.worker_id))];
    const engagements = new Map((await m.findBy(Engagement, { id: In(engagementIds) })).map((e) => [e.id, e]));
    const links = await m.findBy(SubcontractLink, { engagementId: In(engagementIds) });
    const trees = new Map(
      [...engagements.values()].map((e) => [
        e.id,
        new SubcontractTree(
          e.primeOrganizationId,
          links.filter((l) => l.engagementId === e.id),
        ),
      ]),
    );
    const completions = await m.find(Completion, {
      select: { workerId: true, moduleId: true, revision: true, completedAt: true },
      where: { workerId: In(workerIds) },
    });
    const current = await m.findBy(Certificate, { workerId: In(workerIds), engagementId: In(engagementIds), status: 'valid' });
    const now = new Date();
    const issued: Certificate[] = [];
    for (const a of assignments) {
      const e = engagements.get(a.engagement_id)!;
      if (!trees.get(e.id)!.isApprovedChain(a.organization_id)) continue;
      const attested = this.attested(
        e,
        completions.filter((c) => c.workerId === a.worker_id),
        now,
      );
      if (!attested) continue;
      const held = current.find((c) => c.workerId === a.worker_id && c.engagementId === e.id && effectiveStatus(c, now) === 'valid');
      if (held && sameTraining(held.modules, attested)) continue;
      const cert = await this.issue(m, e, a.worker_id, a.organization_id, attested, now);
      if (held) await m.update(Certificate, { id: held.id }, { status: 'superseded', supersededBy: cert.id });
      if (held)
        await this.audit.record(m, {
          action: 'certificate.superseded',
          actor: SYSTEM,
          targetType: 'certificate',
          targetId: held.id,
          engagementId: e.id,
          details: { serial: held.serial, supersededBy: cert.id, workerId: a.worker_id },
        });
      issued.push(cert);
    }
    return issued;
  }

  /** The completions a certificate would attest now, or null while any required module is missing. */
  private attested(e: Engagement, completions: Completion[], now: Date): Certificate['modules'] | null {
    const out: Certificate['modules'] = [];
    for (const id of e.curriculum) {
      if (!this.content.has(id)) continue;
      const c = countingCompletion(completions, this.content.get(id), e.certificateValidityDays, now);
      if (!c) return null;
      out.push({ moduleId: id, revision: c.revision, completedAt: c.completedAt.toISOString() });
    }
    return out.length ? out : null;
  }

  private async issue(
    m: EntityManager,
    e: Engagement,
    workerId: string,
    organizationId: string,
    modules: Certificate['modules'],
    now: Date,
  ): Promise<Certificate> {
    const worker = await m.findOneByOrFail(Worker, { id: workerId });
    const municipality = await m.findOneByOrFail(Municipality, { id: e.municipalityId });
    await this.audit.lock(m); // before the shared status-list row: one lock order with revocations (PostgreSQL)
    const { list, index } = await this.allocateStatusIndex(m, now);
    let serial = newSerial();
    while (await m.existsBy(Certificate, { serial })) serial = newSerial();
    const validUntil = new Date(now.getTime() + e.certificateValidityDays * DAY);
    const credential = this.keys.signCredential(
      buildOpenBadgeCredential({
        baseUrl: this.config.publicBaseUrl,
        serial,
        validFrom: now,
        validUntil,
        municipality: { name: municipality.name, code: municipality.code },
        engagement: { id: e.id, title: e.title },
        holder: { email: worker.email, displayName: worker.name },
        modules,
        status: { listUrl: this.statusListUrl(list.id), index },
      }),
    );
    const cert: Certificate = {
      id: randomUUID(),
      serial,
      workerId,
      engagementId: e.id,
      organizationId,
      status: 'valid',
      validFrom: now,
      validUntil,
      modules,
      statusListId: list.id,
      statusIndex: index,
      credential,
      revokedAt: null,
      revocationReason: null,
      supersededBy: null,
      issuedAt: now,
    };
    await m.insert(Certificate, cert);
    await this.audit.record(m, {
      action: 'certificate.issued',
      actor: SYSTEM,
      targetType: 'certificate',
      targetId: cert.id,
      engagementId: e.id,
      details: { serial, workerId, organizationId },
    });
    return cert;
  }

  /**
   * A random free index in the current list (random, so a credential's
   * position says nothing about when it was issued: the specification's herd
   * privacy). A new list starts when one is half full, keeping picks cheap.
   */
  private async allocateStatusIndex(m: EntityManager, now: Date): Promise<{ list: StatusList; index: number }> {
    let list = await m
      .getRepository(StatusList)
      .createQueryBuilder('s')
      .where('s.used < s.size / 2')
      .orderBy('s.updated_at', 'DESC')
      .getOne();
    if (!list) {
      list = {
        id: randomUUID(),
        purpose: 'revocation',
        size: STATUS_LIST_SIZE,
        bits: emptyBits(STATUS_LIST_SIZE),
        used: 0,
        updatedAt: now,
      };
      await m.insert(StatusList, list);
    }
    let index = randomInt(list.size);
    while (await m.existsBy(Certificate, { statusListId: list.id, statusIndex: index })) index = randomInt(list.size);
    await m
      .createQueryBuilder()
      .update(StatusList)
      .set({ used: () => 'used + 1' })
      .where('id = :id', { id: list.id })
      .execute();
    return { list, index };
  }

  statusListUrl(id: string): string {
    return `${this.config.publicBaseUrl}/api/v1/status-lists/${id}`;
  }

  /**
   * Parses a typed serial; a mistyped one is caught by its check character before any lookup.
   * @throws DomainError `serial.check_character` (a typing slip) or `serial.malformed` (not a serial), field `serial`
   */
  canonicalSerial(input: string): string {
    const p = parseSerial(input);
    if (!p.ok) throw new DomainError(p.reason === 'checksum' ? 'serial.check_character' : 'serial.malformed', {}, 'serial');
    return p.serial;
  }

  /** The public facts of a certificate; the holder's full name and e-mail only to those who may see them. */
  async facts(serial: string, user?: AuthUser): Promise<CertificateFacts> {
    const [f] = await this.describe({ serials: [this.canonicalSerial(serial)] }, user);
    if (!f) throw new NotFoundException('No certificate with this serial');
    return f;
  }

  /** The printable certificate: only for those who see the holder; 404 to anyone else. */
  async forDocument(serial: string, user: AuthUser | undefined): Promise<CertificateFacts & { credentialUrl: string; verifyUrl: string }> {
    const f = await this.facts(serial, user);
    if (!f.holder.name) throw new NotFoundException('No certificate with this serial');
    return {
      ...f,
      credentialUrl: `${this.config.publicBaseUrl}/api/v1/certificates/${f.serial}/credential`,
      verifyUrl: `${this.config.publicBaseUrl}/verify/${f.serial}`,
    };
  }

  /** The stored JWS; only that column is read (the public lookup is the hottest path there is). */
  async credential(serial: string): Promise<string> {
    const [row] = (await this.db.query(portableSql(this.db, 'SELECT credential FROM certificates WHERE serial = ?'), [
      this.canonicalSerial(serial),
    ])) as { credential: string }[];
    if (!row) throw new NotFoundException('No certificate with this serial');
    return row.credential;
  }

  /** Town staff check a list (up to 1,000) at once; each serial answers on its own. */
  async verifyMany(user: AuthUser, serials: string[]) {
    const parsed = serials.map((s) => ({ input: s, p: parseSerial(s) }));
    const valid = [...new Set(parsed.flatMap((x) => (x.p.ok ? [x.p.serial] : [])))];
    const described = new Map((valid.length ? await this.describe({ serials: valid }, user) : []).map((f) => [f.serial, f]));
    return parsed.map(({ input, p }) => {
      if (!p.ok) return { serial: input, status: p.reason === 'checksum' ? 'mistyped' : 'invalid' };
      return described.get(p.serial) ?? { serial: p.serial, status: 'not_found' };
    });
  }

  async mine(user: AuthUser) {
    return this.describe({ workerId: user.workerId! }, user);
  }

  /** Town staff of the engagement's municipality, or an admin, revoke with a reason; the status list bit flips at once. */
  async revoke(user: AuthUser, serial: string, reason: string) {
    const canonical = this.canonicalSerial(serial);
    await this.tx.run(async (m) => {
      const cert = await m.findOneBy(Certificate, { serial: canonical });
      const e = cert && (await m.findOneBy(Engagement, { id: cert.engagementId }));
      if (!cert || !e || !(await this.access.can(user, 'certificate.revoke', e)))
        throw new NotFoundException('No certificate with this serial');
      if (cert.status !== 'valid') throw new ConflictException(`The certificate is already ${cert.status}`);
      const now = new Date();
      await m.update(Certificate, { id: cert.id }, { status: 'revoked', revokedAt: now, revocationReason: reason.trim() });
      await this.audit.record(m, {
        action: 'certificate.revoked',
        actor: user,
        targetType: 'certificate',
        targetId: cert.id,
        engagementId: e.id,
        details: { serial: cert.serial },
      });
      const list = await m.findOneByOrFail(StatusList, { id: cert.statusListId });
      await m.update(StatusList, { id: list.id }, { bits: setBit(list.bits, cert.statusIndex, true), updatedAt: now });
    });
    return this.facts(canonical, user);
  }

  /** The status list as a signed BitstringStatusListCredential. */
  async statusListJws(id: string): Promise<string> {
    const list = await this.db.getRepository(StatusList).findOneBy({ id });
    if (!list) throw new NotFoundException('No status list with this id');
    const url = this.statusListUrl(id);
    return this.keys.signCredential(
      statusListCredential({
        id: url,
        issuer: { id: this.config.publicBaseUrl, name: 'article4-lms' },
        validFrom: list.updatedAt,
        encodedList: encodedList(list.bits),
      }),
    );
  }

  jwks() {
    return this.keys.jwks();
  }

  /**
   * Certificates (by serial, or a worker's newest first) with their
   * engagement, municipality, organization and holder in one statement, only
   * the columns the facts need: the public verification is the most frequent
   * request the service answers.
   */
  private async describe(which: { serials: string[] } | { workerId: string }, user?: AuthUser): Promise<CertificateFacts[]> {
    const [where, params] =
      'workerId' in which
        ? ['c.worker_id = ? ORDER BY c.issued_at DESC', [which.workerId]]
        : which.serials.length === 1
          ? ['c.serial = ?', which.serials]
          : [`c.serial IN (${placeholders(which.serials.length)})`, which.serials];
    const rows = (await this.db.query(portableSql(this.db, `${FACTS_SELECT} WHERE ${where}`), params)) as FactsRow[];
    const now = new Date();
    const out: CertificateFacts[] = [];
    for (const r of rows) {
      const full = await this.access.can(user, 'certificate.holder.read', {
        workerId: r.worker_id,
        organizationId: r.organization_id,
        engagementId: r.engagement_id,
        municipalityId: r.municipality_id,
      });
      out.push({
        serial: r.serial,
        status: effectiveStatus({ status: r.status, validUntil: new Date(r.valid_until) }, now),
        validFrom: r.valid_from,
        validUntil: r.valid_until,
        issuedAt: r.issued_at,
        revokedAt: r.revoked_at,
        revocationReason: full ? r.revocation_reason : null,
        engagement: {
          id: r.engagement_id,
          title: r.title,
          contractNumber: r.contract_number,
          municipality: r.municipality_name,
          municipalityCode: r.municipality_code,
        },
        organization: { name: r.organization_name },
        modules: JSON.parse(r.modules) as Certificate['modules'],
        holder: { maskedName: maskName(r.worker_name), ...(full ? { name: r.worker_name, email: r.worker_email } : {}) },
      });
    }
    return out;
  }
}

/* Instants are stored as fixed-width ISO-8601 UTC text (database/columns.ts), so they are passed on as read. */
const FACTS_SELECT = `SELECT c.serial, c.status, c.valid_from, c.valid_until, c.issued_at, c.revoked_at, c.revocation_reason, c.modules,
    c.worker_id, c.organization_id, e.id AS engagement_id, e.title, e.contract_number, e.municipality_id,
    m.name AS municipality_name, m.code AS municipality_code, o.name AS organization_name, w.name AS worker_name, w.email AS worker_email
  FROM certificates c
  JOIN engagements e ON e.id = c.engagement_id
  JOIN municipalities m ON m.id = e.municipality_id
  JOIN organizations o ON o.id = c.organization_id
  JOIN workers w ON w.id = c.worker_id`;

interface FactsRow {
  serial: string;
  status: Certificate['status'];
  valid_from: string;
  valid_until: string;
  issued_at: string;
  revoked_at: string | null;
  revocation_reason: string | null;
  modules: string;
  worker_id: string;
  organization_id: string;
  engagement_id: string;
  title: string;
  contract_number: string;
  municipality_id: string;
  municipality_name: string;
  municipality_code: string;
  organization_name: string;
  worker_name: string;
  worker_email: string;
}

function sameTraining(a: Certificate['modules'], b: Certificate['modules']): boolean {
  return a.length === b.length && a.every((x, i) => x.moduleId === b[i].moduleId && x.completedAt === b[i].completedAt);
}
