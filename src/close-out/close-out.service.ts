import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { AccessService } from '../access/access.service';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { EmailToken } from '../auth/email-token.entity';
import { keyUrl } from '../certificates/credential/keys';
import { Certificate } from '../certificates/certificate.entity';
import { CertificateCredential } from '../certificates/certificate-credential.entity';
import { identityHash, maskName } from '../certificates/credential/open-badge';
import { signCompactJws } from '../certificates/credential/jws';
import { SigningKeysService } from '../certificates/credential/signing-keys.service';
import { canonicalJson } from '../common/canonical-json';
import { todayJst } from '../common/dates';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { decrypted, emailIndexes } from '../database/columns';
import { conditionalUpdate } from '../database/conditional-update';
import { placeholders, portableSql } from '../database/portable-sql';
import { TransactionService } from '../database/transaction.service';
import { Engagement } from '../engagements/engagement.entity';
import { OutboxMessage } from '../mail/outbox-message.entity';
import { Municipality } from '../municipalities/municipality.entity';
import { Article11Service } from '../reports/article11.service';
import { Session } from '../sessions/session.entity';
import { User } from '../users/user.entity';
import { Worker } from '../workers/worker.entity';
import { EngagementArchive } from './engagement-archive.entity';

const DAY = 86400_000;

/** What an erased worker's name and an erased account's display name become. */
export const ERASED_NAME = '（消去済み）';
/** An erased address: RFC 2606 `.invalid`, unique per row, so no mail goes there and no unique index collides. */
export const erasedAddress = (id: string) => `erased+${id}@erased.invalid`;

/** The `typ` of the close-out signature's protected header. */
export const CLOSE_OUT_TYP = 'article4-close-out+jwt';

/** The claims of the detached signature over an archive. */
export interface CloseOutClaims {
  /** The service's public address (`PUBLIC_BASE_URL`). */
  iss: string;
  /** `urn:uuid:<engagement id>`. */
  sub: string;
  /** Seconds since the epoch. */
  iat: number;
  /** Hex SHA-256 of the archive's bytes, exactly as downloaded. */
  sha256: string;
}

export interface CloseOutState {
  engagementId: string;
  endsOn: string;
  closedOutAt: string | null;
  sha256: string | null;
  /** The first instant the erasure is allowed (close-out + RETENTION_DAYS); null before the close-out. */
  erasableFrom: string | null;
  erasedAt: string | null;
  /** Whether the archive can still be downloaded. */
  archiveKept: boolean;
}

/**
 * Close-out of an engagement (Article 7: what was received for the work is
 * returned when it ends; Article 3-1: the duty of confidentiality outlives the
 * contract), in two steps, both the town's (`engagement.close_out`):
 *
 * 1. `closeOut`, after `endsOn` (JST), once: builds the archive the town keeps
 *    (roster, completions, certificates, the Article 11 report, the audit
 *    excerpt) as canonical JSON, signs its SHA-256 with the service's Ed25519
 *    key (a compact JWS verifiable with the JWKS), records the digest on the
 *    engagement and in the audit chain, and keeps the archive (encrypted) for
 *    another download;
 * 2. `erase`, confirmed, not before RETENTION_DAYS after the close-out: the
 *    workers of the engagement who are on no other engagement still holding
 *    data lose their name, address and employee number (a tombstone), their
 *    accounts are disabled; certificates keep their status, dates, the masked
 *    name as issued and the salted identity hash, so they still verify; the
 *    kept archive is deleted. Audited.
 *
 * docs/data-protection.md, "Close-out and erasure".
 */
@Injectable()
export class CloseOutService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly article11: Article11Service,
    private readonly keys: SigningKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Where the engagement stands. @throws DomainError `engagement.not_found` (404), `access.forbidden` (403) */
  async state(user: AuthUser, engagementId: string): Promise<CloseOutState> {
    const e = await this.access.engagement(user, engagementId, 'engagement.close_out');
    return this.stateOf(e, await this.db.getRepository(EngagementArchive).existsBy({ engagementId }));
  }

  private stateOf(e: Engagement, archiveKept: boolean): CloseOutState {
    const closed = e.closedOutAt ?? null;
    return {
      engagementId: e.id,
      endsOn: e.endsOn,
      closedOutAt: closed?.toISOString() ?? null,
      sha256: e.closeOutSha256 ?? null,
      erasableFrom: closed ? new Date(closed.getTime() + this.config.retentionDays * DAY).toISOString() : null,
      erasedAt: e.erasedAt?.toISOString() ?? null,
      archiveKept,
    };
  }

  /**
   * Closes the engagement out and answers the state with the archive's digest and signature.
   * @throws DomainError `engagement.not_found` (404), `access.forbidden` (403), `close_out.not_ended` (409: on or
   *   before `endsOn`, JST), `close_out.closed` (409: already closed out, also when another request won)
   */
  async closeOut(user: AuthUser, engagementId: string, now = new Date()): Promise<CloseOutState & { signature: string }> {
    const e = await this.access.engagement(user, engagementId, 'engagement.close_out');
    if (todayJst(now) <= e.endsOn) throw new DomainError('close_out.not_ended', { endsOn: e.endsOn });
    if (e.closedOutAt) throw new DomainError('close_out.closed');
    const archive = Buffer.from(canonicalJson(await this.buildArchive(user, e, now)), 'utf8');
    const sha256 = createHash('sha256').update(archive).digest('hex');
    const claims: CloseOutClaims = {
      iss: this.config.publicBaseUrl,
      sub: `urn:uuid:${e.id}`,
      iat: Math.floor(now.getTime() / 1000),
      sha256,
    };
    const signature = signCompactJws(
      { alg: 'EdDSA', kid: keyUrl(this.config.publicBaseUrl, this.keys.current('EdDSA').kid), typ: CLOSE_OUT_TYP },
      claims,
      this.keys.current('EdDSA').privateKey,
    );
    await this.tx.run(async (m) => {
      const won = await conditionalUpdate(m, Engagement, { id: e.id, closedOutAt: IsNull() }, { closedOutAt: now, closeOutSha256: sha256 });
      if (!won) throw new DomainError('close_out.closed');
      await m.insert(EngagementArchive, { engagementId: e.id, archive: archive.toString('utf8'), signature, createdAt: now });
      await this.audit.record(m, {
        action: 'engagement.closed_out',
        actor: user,
        targetType: 'engagement',
        targetId: e.id,
        engagementId: e.id,
        details: { sha256, bytes: archive.length },
      });
    });
    return { ...this.stateOf({ ...e, closedOutAt: now, closeOutSha256: sha256 }, true), signature };
  }

  /**
   * The kept archive (its exact bytes) and its signature, for another download; audited.
   * @throws DomainError `engagement.not_found` (404), `access.forbidden` (403), `close_out.not_closed` (409),
   *   `close_out.archive_erased` (409: deleted by the erasure)
   */
  async archive(
    user: AuthUser,
    engagementId: string,
  ): Promise<{ bytes: Buffer; signature: string; sha256: string; contractNumber: string }> {
    const e = await this.access.engagement(user, engagementId, 'engagement.close_out');
    if (!e.closedOutAt) throw new DomainError('close_out.not_closed');
    const kept = await this.db.getRepository(EngagementArchive).findOneBy({ engagementId });
    if (!kept) throw new DomainError('close_out.archive_erased');
    await this.audit.append({
      action: 'engagement.archive_downloaded',
      actor: user,
      targetType: 'engagement',
      targetId: e.id,
      engagementId: e.id,
    });
    return {
      bytes: Buffer.from(kept.archive, 'utf8'),
      signature: kept.signature,
      sha256: e.closeOutSha256!,
      contractNumber: e.contractNumber,
    };
  }

  /**
   * Erases the personal data only this engagement needed, on the town's confirmation.
   * @throws DomainError `close_out.confirmation_required` (400), `engagement.not_found` (404), `access.forbidden` (403),
   *   `close_out.not_closed` (409), `close_out.retention` (409, `erasableFrom`), `close_out.erased` (409: already, or meanwhile)
   */
  async erase(
    user: AuthUser,
    engagementId: string,
    confirm: unknown,
    now = new Date(),
  ): Promise<CloseOutState & { erasedWorkers: number; keptWorkers: number }> {
    const e = await this.access.engagement(user, engagementId, 'engagement.close_out');
    if (confirm !== true) throw new DomainError('close_out.confirmation_required', {}, 'confirm');
    if (!e.closedOutAt) throw new DomainError('close_out.not_closed');
    if (e.erasedAt) throw new DomainError('close_out.erased');
    const erasableFrom = new Date(e.closedOutAt.getTime() + this.config.retentionDays * DAY);
    if (now < erasableFrom) throw new DomainError('close_out.retention', { erasableFrom: erasableFrom.toISOString() });
    const result = await this.tx.run(async (m) => {
      const won = await conditionalUpdate(m, Engagement, { id: e.id, erasedAt: IsNull() }, { erasedAt: now });
      if (!won) throw new DomainError('close_out.erased');
      const assigned = (await m.query(portableSql(m.connection, 'SELECT worker_id FROM assignments WHERE engagement_id = ?'), [e.id])) as {
        worker_id: string;
      }[];
      const ids = assigned.map((a) => a.worker_id);
      const kept = new Set<string>();
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        // Another engagement whose data is not erased yet still needs the worker.
        const rows = (await m.query(
          portableSql(
            m.connection,
            `SELECT DISTINCT a.worker_id FROM assignments a JOIN engagements g ON g.id = a.engagement_id
             WHERE a.worker_id IN (${placeholders(chunk.length)}) AND a.engagement_id <> ? AND g.erased_at IS NULL`,
          ),
          [...chunk, e.id],
        )) as { worker_id: string }[];
        for (const r of rows) kept.add(r.worker_id);
      }
      const erasable = ids.filter((id) => !kept.has(id));
      for (const workerId of erasable) await this.eraseWorker(m, workerId, now);
      await m.delete(EngagementArchive, { engagementId: e.id });
      await this.audit.record(m, {
        action: 'engagement.personal_data_erased',
        actor: user,
        targetType: 'engagement',
        targetId: e.id,
        engagementId: e.id,
        details: { erasedWorkers: erasable.length, keptWorkers: kept.size, workerIds: erasable },
      });
      return { erasedWorkers: erasable.length, keptWorkers: kept.size };
    });
    return { ...this.stateOf({ ...e, erasedAt: now }, false), ...result };
  }

  /** One worker: certificates keep the masked name and the identity hash; the rest of what names them goes. */
  private async eraseWorker(m: EntityManager, workerId: string, now: Date): Promise<void> {
    const worker = await m.findOneBy(Worker, { id: workerId });
    if (!worker || worker.name === ERASED_NAME) return;
    const certificates = await m.findBy(Certificate, { workerId });
    for (const c of certificates)
      await m.update(
        Certificate,
        { id: c.id },
        {
          holderMaskedName: c.holderMaskedName ?? maskName(worker.name),
          holderIdentityHash: c.identitySalt ? identityHash(worker.email, c.identitySalt) : null,
        },
      );
    // The holder's signed forms carry the full name; the public forms (masked name) stay and verify.
    if (certificates.length)
      await m.delete(CertificateCredential, { serial: In(certificates.map((c) => c.serial)), form: In(['holder.vc', 'holder.jwt']) });
    const users = await m.findBy(User, { workerId });
    const userIds = users.map((u) => u.id);
    // Every message to or about them: the outbox holds their address, name and links.
    await m.delete(OutboxMessage, { recipientIndex: In(emailIndexes(worker.email)) });
    if (userIds.length) {
      await m.delete(OutboxMessage, { recipientUserId: In(userIds) });
      await m.delete(EmailToken, { userId: In(userIds) });
      await m.update(Session, { userId: In(userIds), revokedAt: IsNull() }, { revokedAt: now });
    }
    for (const u of users)
      await m.update(
        User,
        { id: u.id },
        // Disabled: the address is a placeholder nobody receives, the password hash matches no password.
        { email: erasedAddress(u.id), displayName: ERASED_NAME, passwordHash: '!erased', displacedAt: now },
      );
    await m.update(
      Worker,
      { id: workerId },
      {
        name: ERASED_NAME,
        furigana: null,
        email: erasedAddress(workerId),
        employeeNumber: null,
        enrollmentCodeHash: null,
        enrollmentCodeExpiresAt: null,
        invitationCodeHash: null,
        invitationCodeExpiresAt: null,
        updatedAt: now,
      },
    );
  }

  /** The Article 11 report as `GET …/report` answers it, `{report, digest}`, read from its streamed parts. */
  private async article11Report(user: AuthUser, engagementId: string) {
    const parts = await this.article11.reportParts(user, engagementId);
    const certifiedWorkers: unknown[] = [];
    for await (const page of parts.certified) certifiedWorkers.push(...page.workers);
    const workers: unknown[] = [];
    for await (const page of parts.workers) workers.push(...page.workers);
    const value = await parts.digest();
    return {
      report: { ...parts.report, certifiedWorkers, workers },
      digest: { algorithm: 'SHA-256', canonicalization: 'JSON, keys sorted, no white space', value },
    };
  }

  /** The archive: plain data, written once; web/ adds no words to it (its keys are its field names). */
  private async buildArchive(user: AuthUser, e: Engagement, now: Date) {
    const q = <T>(sql: string, params: unknown[]) => this.db.query(portableSql(this.db, sql), params) as Promise<T[]>;
    const municipality = await this.db.getRepository(Municipality).findOneByOrFail({ id: e.municipalityId });
    const roster = (
      await q<{
        id: string;
        organization_id: string;
        organization: string;
        name: string;
        furigana: string | null;
        email: string;
        employee_number: string | null;
        enrolled_at: string | null;
        assigned_at: string;
      }>(
        `SELECT w.id, w.organization_id, o.name AS organization, w.name, w.furigana, w.email, w.employee_number, w.enrolled_at, a.assigned_at
         FROM assignments a JOIN workers w ON w.id = a.worker_id JOIN organizations o ON o.id = w.organization_id
         WHERE a.engagement_id = ? ORDER BY w.id`,
        [e.id],
      )
    ).map((r) => ({
      workerId: r.id,
      organizationId: r.organization_id,
      organization: r.organization,
      name: decrypted('workers.name', r.name),
      furigana: decrypted('workers.furigana', r.furigana),
      email: decrypted('workers.email', r.email),
      employeeNumber: decrypted('workers.employee_number', r.employee_number),
      enrolledAt: r.enrolled_at,
      assignedAt: r.assigned_at,
    }));
    const completions = (
      await q<{ worker_id: string; module_id: string; revision: number; score: number; completed_at: string }>(
        `SELECT c.worker_id, c.module_id, c.revision, c.score, c.completed_at FROM completions c JOIN attempts t ON t.id = c.attempt_id
         WHERE t.engagement_id = ? ORDER BY c.worker_id, c.module_id, c.completed_at`,
        [e.id],
      )
    ).map((r) => ({
      workerId: r.worker_id,
      moduleId: r.module_id,
      revision: Number(r.revision),
      score: Number(r.score),
      completedAt: r.completed_at,
    }));
    const certificates = (
      await q<{
        serial: string;
        worker_id: string;
        organization_id: string;
        status: string;
        valid_from: string;
        valid_until: string;
        issued_at: string;
        revoked_at: string | null;
        holder_masked_name: string | null;
      }>(
        `SELECT serial, worker_id, organization_id, status, valid_from, valid_until, issued_at, revoked_at, holder_masked_name
         FROM certificates WHERE engagement_id = ? ORDER BY issued_at, serial`,
        [e.id],
      )
    ).map((r) => ({
      serial: r.serial,
      workerId: r.worker_id,
      organizationId: r.organization_id,
      status: r.status,
      validFrom: r.valid_from,
      validUntil: r.valid_until,
      issuedAt: r.issued_at,
      revokedAt: r.revoked_at,
      maskedName: decrypted('certificates.holder_masked_name', r.holder_masked_name),
      verifyUrl: `${this.config.publicBaseUrl}/verify/${r.serial}`,
    }));
    const audit = await q<{
      seq: number;
      occurred_at: string;
      actor_role: string;
      action: string;
      target_type: string;
      target_id: string | null;
      details: string;
      hash: string;
    }>(
      'SELECT seq, occurred_at, actor_role, action, target_type, target_id, details, hash FROM audit_events WHERE engagement_id = ? ORDER BY seq',
      [e.id],
    );
    return {
      kind: 'article4-lms-close-out',
      version: 1,
      generatedAt: now.toISOString(),
      issuer: this.config.publicBaseUrl,
      engagement: {
        id: e.id,
        title: e.title,
        contractNumber: e.contractNumber,
        municipality: { name: municipality.name, code: municipality.code },
        startsOn: e.startsOn,
        endsOn: e.endsOn,
      },
      roster,
      completions,
      certificates,
      article11: await this.article11Report(user, e.id),
      auditExcerpt: audit.map((a) => ({
        seq: Number(a.seq),
        occurredAt: a.occurred_at,
        actorRole: a.actor_role,
        action: a.action,
        targetType: a.target_type,
        targetId: a.target_id,
        details: JSON.parse(a.details) as unknown,
        hash: a.hash,
      })),
    };
  }
}
