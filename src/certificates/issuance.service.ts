import { Inject, Injectable } from '@nestjs/common';
import { randomInt, randomUUID } from 'node:crypto';
import { EntityManager, In } from 'typeorm';
import { SubcontractTree } from '../access/subcontract-tree';
import { AuditService, SYSTEM } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ContentService } from '../content/content.service';
import { Engagement } from '../engagements/engagement.entity';
import { SubcontractLink } from '../engagements/subcontract-link.entity';
import { mailLinks } from '../mail/links';
import { OutboxService } from '../mail/outbox.service';
import { Municipality } from '../municipalities/municipality.entity';
import { Organization } from '../organizations/organization.entity';
import { Completion } from '../training/completion.entity';
import { countingCompletion } from '../training/completion-rules';
import { Assignment } from '../workers/assignment.entity';
import { Worker } from '../workers/worker.entity';
import { CertificateCredential, sealedForm } from './certificate-credential.entity';
import { CertificateSigner } from './certificate-signer.service';
import { Certificate } from './certificate.entity';
import { maskName, newIdentitySalt } from './credential/open-badge';
import { newSerial } from './credential/serial';
import { emptyBits, STATUS_LIST_SIZE } from './credential/status-list';
import { AttestedModule, issueReason } from './issuance-rules';
import { heldCertificate, holdsIssuance, StoredCertificateStatus } from './standing';
import { StatusList } from './status-list.entity';

const DAY = 86400_000;

/**
 * Whole seconds: a credential's `validFrom`/`validUntil` then equal the JWT
 * form's `nbf`/`exp` exactly (OB 3.0 §8.2). `issuedAt` keeps milliseconds, so
 * two certificates issued within a second still stand in order.
 */
const wholeSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

/**
 * How certificates come to be, in one place. Three acts make certificates
 * due, and each calls its method here inside its own transaction, so the
 * certificate is issued (or not) with the act that made it due:
 *
 * - a pass: TrainingService.submit → completion written → `afterPass`;
 * - the town's approval of a subcontractor (Art. 5): EngagementsService.decide → `afterApproval`;
 * - the town's reinstatement after a revocation: CertificatesService.reinstate → `afterReinstatement`.
 *
 * All three go through `issueDue`, the only code that issues; its rules are in
 * issuance-rules.ts and standing.ts (docs/certificates.md, "Issuance").
 */
@Injectable()
export class IssuanceService {
  constructor(
    private readonly content: ContentService,
    private readonly signer: CertificateSigner,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A worker passed a module of an engagement: the certificate now held for it, if the pass completed the curriculum. */
  async afterPass(m: EntityManager, workerId: string, engagementId: string): Promise<{ serial: string } | null> {
    const issued = await this.issueDue(m, { workerIds: [workerId] });
    const mine = issued.find((c) => c.engagementId === engagementId);
    return mine ? { serial: mine.serial } : null;
  }

  /** The town approved a subcontractor: certificates held back for its chain's workers are issued now. */
  async afterApproval(m: EntityManager, engagementId: string): Promise<void> {
    await this.issueDue(m, { engagementId });
  }

  /** The town lifted a revocation's hold: the worker's certificate for the engagement, if one is due now. */
  async afterReinstatement(m: EntityManager, revoked: Pick<Certificate, 'workerId' | 'engagementId'>): Promise<Certificate | null> {
    const [fresh] = await this.issueDue(m, { workerIds: [revoked.workerId], engagementId: revoked.engagementId });
    return fresh ?? null;
  }

  /**
   * Issues every certificate now due among the given workers' (or one
   * engagement's) assignments, the only way certificates are issued:
   * - the curriculum is complete and the organization eligible (the prime, or
   *   every link up to it approved);
   * - no revocation of the worker's certificate for the engagement holds
   *   (standing.ts `holdsIssuance`): until the town reinstates, nothing is
   *   issued however the worker trains or whatever the town approves; after a
   *   reinstatement that asked for re-training, only completions after the
   *   revocation count;
   * - a worker who holds a valid certificate gets a new one only when its
   *   facts would change (issuance-rules.ts); the old one is then superseded,
   *   its status bit set.
   * Takes the audit chain's lock first, so revocations, reinstatements and
   * issuance for the same certificates run one after the other (PostgreSQL).
   */
  private async issueDue(m: EntityManager, scope: { workerIds?: string[]; engagementId?: string }): Promise<Certificate[]> {
    await this.audit.lock(m);
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
    const certificates = await m.findBy(Certificate, {
      workerId: In(workerIds),
      engagementId: In(engagementIds),
      status: In(['valid', 'revoked'] satisfies StoredCertificateStatus[]),
    });
    const now = new Date();
    const issued: Certificate[] = [];
    for (const a of assignments) {
      const e = engagements.get(a.engagement_id)!;
      if (!trees.get(e.id)!.isApprovedChain(a.organization_id)) continue;
      const mine = certificates.filter((c) => c.workerId === a.worker_id && c.engagementId === e.id);
      if (mine.some(holdsIssuance)) continue;
      const since = retrainingSince(mine);
      const attested = this.attested(
        e,
        completions.filter((c) => c.workerId === a.worker_id && (!since || c.completedAt > since)),
        now,
      );
      if (!attested) continue;
      const held = heldCertificate(mine, now);
      if (!issueReason(held ?? null, attested, now)) continue;
      const cert = await this.issue(m, e, a.worker_id, a.organization_id, attested, now);
      if (held) await this.supersede(m, held, cert, now);
      issued.push(cert);
    }
    return issued;
  }

  /** The completions a certificate would attest now, or null while any required module is missing. */
  private attested(e: Engagement, completions: Completion[], now: Date): AttestedModule[] | null {
    const out: AttestedModule[] = [];
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
    modules: AttestedModule[],
    now: Date,
  ): Promise<Certificate> {
    const worker = await m.findOneByOrFail(Worker, { id: workerId });
    const municipality = await m.findOneByOrFail(Municipality, { id: e.municipalityId });
    const organization = await m.findOneByOrFail(Organization, { id: organizationId });
    const { list, index } = await this.allocateStatusIndex(m, now);
    let serial = newSerial();
    while (await m.existsBy(Certificate, { serial })) serial = newSerial();
    const validFrom = wholeSeconds(now.getTime());
    const cert: Certificate = {
      id: randomUUID(),
      serial,
      workerId,
      engagementId: e.id,
      organizationId,
      status: 'valid',
      validFrom,
      validUntil: new Date(validFrom.getTime() + e.certificateValidityDays * DAY),
      modules,
      statusListId: list.id,
      statusIndex: index,
      identitySalt: newIdentitySalt(),
      revokedAt: null,
      revocationReason: null,
      reinstatedAt: null,
      reinstatementReason: null,
      retrainingRequired: false,
      supersededBy: null,
      issuedAt: now,
      // The public verification's words, as the credential signed below states them (migration CertificatePublicFacts).
      engagementTitle: e.title,
      municipalityName: municipality.name,
      organizationName: organization.name,
      holderMaskedName: maskName(worker.name),
    };
    await m.insert(Certificate, cert);
    await m.insert(CertificateCredential, this.signer.signForms(cert, worker, municipality, e).map(sealedForm));
    await this.audit.record(m, {
      action: 'certificate.issued',
      actor: SYSTEM,
      targetType: 'certificate',
      targetId: cert.id,
      engagementId: e.id,
      details: { serial, workerId, organizationId },
    });
    // The worker is told in the same transaction (the outbox, docs/mail.md): no notice for a certificate rolled back.
    const links = mailLinks(this.config.publicBaseUrl);
    await this.outbox.enqueue(m, {
      kind: 'certificate_issued',
      to: worker.email,
      key: `certificate-issued:${cert.id}`,
      params: {
        name: worker.name,
        engagement: e.title,
        serial,
        validUntil: cert.validUntil.toISOString(),
        certificateLink: links.certificate(serial),
        verifyLink: links.verify(serial),
      },
    });
    return cert;
  }

  /** Marks `held` superseded by `by`, only if it is still valid (a conditional update; 409 otherwise), and sets its status bit. */
  private async supersede(m: EntityManager, held: Certificate, by: Certificate, now: Date): Promise<void> {
    const res = await m
      .createQueryBuilder()
      .update(Certificate)
      .set({ status: 'superseded', supersededBy: by.id })
      .where("id = :id AND status = 'valid'", { id: held.id })
      .execute();
    if (res.affected === 0) throw new DomainError('certificate.changed_meanwhile', { serial: held.serial });
    await this.audit.record(m, {
      action: 'certificate.superseded',
      actor: SYSTEM,
      targetType: 'certificate',
      targetId: held.id,
      engagementId: held.engagementId,
      details: { serial: held.serial, supersededBy: by.id, workerId: held.workerId },
    });
    await this.signer.writeStatusBit(m, held, 'superseded', now);
  }

  /**
   * A random free index in the current list (random, so a credential's
   * position says nothing about when it was issued: the specification's herd
   * privacy). A new list starts when one is half full, keeping picks cheap.
   * Called under the audit lock (issueDue), like every write to a list.
   */
  private async allocateStatusIndex(m: EntityManager, now: Date): Promise<{ list: StatusList; index: number }> {
    let list = await m
      .getRepository(StatusList)
      .createQueryBuilder('s')
      .where('s.used < s.size / 2')
      .orderBy('s.updated_at', 'DESC')
      .getOne();
    if (!list) {
      const id = randomUUID();
      const bits = emptyBits(STATUS_LIST_SIZE);
      list = {
        id,
        purpose: 'revocation',
        size: STATUS_LIST_SIZE,
        bits,
        used: 0,
        updatedAt: now,
        jws: this.signer.signStatusList(id, bits, now),
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
}

/**
 * The instant after which completions count again for a (worker, engagement)
 * whose revocation was lifted on condition of re-training: the latest such
 * revocation. Null when none asked for re-training.
 */
function retrainingSince(certs: Certificate[]): Date | null {
  let since: Date | null = null;
  for (const c of certs)
    if (c.status === 'revoked' && c.retrainingRequired && c.revokedAt && (!since || c.revokedAt > since)) since = c.revokedAt;
  return since;
}
