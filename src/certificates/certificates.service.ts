import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AccessService } from '../access/access.service';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { decrypted } from '../database/columns';
import { placeholders, portableSql, queryOne } from '../database/portable-sql';
import { TransactionService } from '../database/transaction.service';
import { Engagement } from '../engagements/engagement.entity';
import { Municipality } from '../municipalities/municipality.entity';
import { Worker } from '../workers/worker.entity';
import { CertificateCredential, CredentialFormat, JWS_CONTEXT, sealedForm, StoredForm } from './certificate-credential.entity';
import { CertificateSigner } from './certificate-signer.service';
import { Certificate } from './certificate.entity';
import { article4Context, CredentialForm, maskName, newIdentitySalt } from './credential/open-badge';
import { parseSerial } from './credential/serial';
import { SigningKeysService } from './credential/signing-keys.service';
import { IssuanceService } from './issuance.service';
import type { AttestedModule } from './issuance-rules';
import { CertificateStatus, effectiveStatus, RENEWAL_WINDOW_DAYS, StoredCertificateStatus } from './standing';
import { StatusList } from './status-list.entity';
import { mailLinks } from '../mail/links';
import { OutboxService } from '../mail/outbox.service';
import { User } from '../users/user.entity';

const DAY = 86400_000;

/** Why a serial in a checked list has no facts. */
export type VerifyProblem = 'not_found' | 'mistyped' | 'invalid';

/**
 * What anyone holding a serial may learn about its certificate: exactly what
 * the public verification page (/verify/:serial) shows — status, validity,
 * the revocation date, the engagement's title and municipality, the
 * organization, the holder's masked name. Nothing that identifies the
 * contract, the engagement record or when each module was passed.
 */
export interface PublicCertificateFacts {
  serial: string;
  status: CertificateStatus;
  validFrom: string;
  validUntil: string;
  revokedAt: string | null;
  engagement: { title: string; municipality: string };
  organization: { name: string };
  holder: { maskedName: string };
}

/** Everything about a certificate, for those who may see its holder (src/access `certificate.holder.read`). */
export interface CertificateFacts extends PublicCertificateFacts {
  issuedAt: string;
  revocationReason: string | null;
  /** When the town lifted the revocation's hold (a new certificate may follow). */
  reinstatedAt: string | null;
  engagement: { id: string; title: string; contractNumber: string; municipality: string; municipalityCode: string };
  modules: AttestedModule[];
  holder: { maskedName: string; name: string; email: string };
}

/** Whether the facts are the full ones (the caller may see the holder), not the public ones. */
export const seesHolder = (f: PublicCertificateFacts | CertificateFacts): f is CertificateFacts => 'name' in f.holder;

/** A stored credential as the API answers it: the compact JWS and its media type. */
export interface CredentialDocument {
  jws: string;
  format: CredentialFormat;
  form: CredentialForm;
}

/**
 * Certificates as people see and manage them: the public facts and the
 * holder's, the stored signed forms, verification of one or many serials,
 * revocation and reinstatement, status lists and keys. How certificates are
 * issued is IssuanceService's (issuance.service.ts).
 */
@Injectable()
export class CertificatesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tx: TransactionService,
    private readonly access: AccessService,
    private readonly keys: SigningKeysService,
    private readonly signer: CertificateSigner,
    private readonly issuance: IssuanceService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * The managers of a certificate's organization (who may see its holder:
   * src/access), as recipients of the notices about it.
   */
  private async managersOf(m: EntityManager, organizationId: string): Promise<Pick<User, 'id' | 'email'>[]> {
    return m.find(User, { select: { id: true, email: true }, where: { organizationId, role: 'org_manager', displacedAt: IsNull() } });
  }

  /**
   * Tells the worker and their organization's managers that a certificate
   * was revoked, with the town's reason and what to do next (docs/mail.md).
   */
  private async noticeRevocation(m: EntityManager, cert: Certificate, reason: string): Promise<void> {
    const worker = await m.findOneByOrFail(Worker, { id: cert.workerId });
    const e = await m.findOneByOrFail(Engagement, { id: cert.engagementId });
    const municipality = (await m.findOneByOrFail(Municipality, { id: e.municipalityId })).name;
    const links = mailLinks(this.config.publicBaseUrl);
    await this.outbox.enqueueMany(m, [
      {
        kind: 'certificate_revoked',
        to: worker.email,
        key: `certificate-revoked:${cert.id}`,
        params: {
          name: worker.name,
          engagement: e.title,
          serial: cert.serial,
          municipality,
          reason,
          verifyLink: links.verify(cert.serial),
        },
      },
      ...(await this.managersOf(m, cert.organizationId)).map((u) => ({
        kind: 'certificate_revoked_manager' as const,
        to: u.email,
        userId: u.id,
        key: `certificate-revoked:${cert.id}:${u.id}`,
        params: {
          worker: worker.name,
          engagement: e.title,
          serial: cert.serial,
          municipality,
          reason,
          progressLink: links.progress(e.id),
        },
      })),
    ]);
  }

  /**
   * Tells the worker and their organization's managers, once per
   * certificate, that a valid certificate ends within RENEWAL_WINDOW_DAYS
   * (30) days. Run by the mail scheduler; the idempotency keys make a second
   * run (or another instance) queue nothing. Answers how many were queued.
   */
  async noticeExpiring(now = new Date()): Promise<number> {
    const until = new Date(now.getTime() + RENEWAL_WINDOW_DAYS * DAY).toISOString();
    const due = (await this.db.query(
      portableSql(
        this.db,
        `SELECT c.id, c.serial, c.valid_until, c.organization_id, c.engagement_id, w.name, w.email, e.title
         FROM certificates c JOIN workers w ON w.id = c.worker_id JOIN engagements e ON e.id = c.engagement_id
         WHERE c.status = 'valid' AND c.valid_until > ? AND c.valid_until <= ?
         AND NOT EXISTS (SELECT 1 FROM mail_outbox o WHERE o.idempotency_key = 'certificate-expiring:' || c.id)`,
      ),
      [now.toISOString(), until],
    )) as {
      id: string;
      serial: string;
      valid_until: string;
      organization_id: string;
      engagement_id: string;
      name: string;
      email: string;
      title: string;
    }[];
    for (const c of due) {
      c.name = decrypted('workers.name', c.name);
      c.email = decrypted('workers.email', c.email);
    }
    if (!due.length) return 0;
    const links = mailLinks(this.config.publicBaseUrl);
    return this.tx.run(async (m) => {
      let queued = 0;
      for (const c of due) {
        const results = await this.outbox.enqueueMany(m, [
          {
            kind: 'certificate_expiring',
            to: c.email,
            key: `certificate-expiring:${c.id}`,
            params: { name: c.name, engagement: c.title, serial: c.serial, validUntil: c.valid_until, link: links.learn() },
          },
          ...(await this.managersOf(m, c.organization_id)).map((u) => ({
            kind: 'certificate_expiring_manager' as const,
            to: u.email,
            userId: u.id,
            key: `certificate-expiring:${c.id}:${u.id}`,
            params: {
              worker: c.name,
              engagement: c.title,
              serial: c.serial,
              validUntil: c.valid_until,
              progressLink: links.progress(c.engagement_id),
            },
          })),
        ]);
        queued += results.filter((r) => r === 'queued').length;
      }
      return queued;
    });
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

  /**
   * The facts of a certificate: the public ones (what /verify shows) to
   * anyone, everything (holder, contract, modules) to those who may see the
   * holder; `seesHolder` tells which.
   * @throws DomainError `certificate.not_found` (404)
   */
  async facts(serial: string, user?: AuthUser): Promise<PublicCertificateFacts | CertificateFacts> {
    const canonical = this.canonicalSerial(serial);
    // Nobody signed in sees a holder (AccessService.check refuses everything to nobody): the public row alone answers.
    const shown = user ? undefined : await this.publicFacts(canonical);
    if (shown) return shown;
    const [f] = await this.describe({ serials: [canonical] }, user);
    if (!f) throw new DomainError('certificate.not_found');
    return f;
  }

  /**
   * The public facts from the certificate's own row (migration
   * CertificatePublicFacts): one read by the unique serial, no join; the
   * status through standing.ts as everywhere (expired from `validUntil`,
   * judged now). Undefined for a row issued without its public words (then
   * the caller joins); `certificate.not_found` when there is no such serial.
   */
  private async publicFacts(serial: string): Promise<PublicCertificateFacts | undefined> {
    const r = await queryOne<PublicFactsRow>(this.db, PUBLIC_FACTS_SQL, [serial]);
    if (!r) throw new DomainError('certificate.not_found');
    if (r.holder_masked_name === null) return undefined;
    return {
      serial: r.serial,
      status: effectiveStatus({ status: r.status, validUntil: r.valid_until }),
      validFrom: r.valid_from,
      validUntil: r.valid_until,
      revokedAt: r.revoked_at,
      engagement: { title: r.engagement_title!, municipality: r.municipality_name! },
      organization: { name: r.organization_name! },
      holder: { maskedName: r.holder_masked_name },
    };
  }

  /** The printable certificate: only for those who see the holder; 404 (`certificate.not_found`) to anyone else. */
  async forDocument(serial: string, user: AuthUser | undefined): Promise<CertificateFacts & { credentialUrl: string; verifyUrl: string }> {
    const f = await this.facts(serial, user);
    if (!seesHolder(f)) throw new DomainError('certificate.not_found');
    return {
      ...f,
      credentialUrl: `${this.config.publicBaseUrl}/api/v1/certificates/${f.serial}/credential`,
      verifyUrl: `${this.config.publicBaseUrl}/verify/${f.serial}`,
    };
  }

  /**
   * A stored signed credential. `public` (the default) to anyone: one
   * primary-key read, nothing signed (the public lookup is the hottest path
   * there is). `holder` only to those who see the holder; 404 to anyone else.
   * @throws DomainError `certificate.not_found` (404)
   */
  async credential(
    serial: string,
    want: { form?: CredentialForm; format?: CredentialFormat } = {},
    user?: AuthUser,
  ): Promise<CredentialDocument> {
    const canonical = this.canonicalSerial(serial);
    const form = want.form ?? 'public';
    const format = want.format ?? 'vc';
    const key: StoredForm = `${form}.${format}`;
    if (form === 'public') {
      const row = await queryOne<{ jws: string }>(this.db, 'SELECT jws FROM certificate_credentials WHERE serial = ? AND form = ?', [
        canonical,
        key,
      ]);
      return { jws: row ? decrypted(JWS_CONTEXT, row.jws) : await this.signMissingForms(canonical, key), form, format };
    }
    const [row] = (await this.db.query(
      portableSql(
        this.db,
        `SELECT cc.jws, c.worker_id, c.organization_id, c.engagement_id, e.municipality_id FROM certificates c
         JOIN engagements e ON e.id = c.engagement_id
         LEFT JOIN certificate_credentials cc ON cc.serial = c.serial AND cc.form = ?
         WHERE c.serial = ?`,
      ),
      [key, canonical],
    )) as { jws: string | null; worker_id: string; organization_id: string; engagement_id: string; municipality_id: string }[];
    const holder = row && {
      workerId: row.worker_id,
      organizationId: row.organization_id,
      engagementId: row.engagement_id,
      municipalityId: row.municipality_id,
    };
    if (!holder || !(await this.access.can(user, 'certificate.holder.read', holder))) throw new DomainError('certificate.not_found');
    return { jws: row.jws ? decrypted(JWS_CONTEXT, row.jws) : await this.signMissingForms(canonical, key), form, format };
  }

  /**
   * A certificate issued before the forms were stored apart (migration
   * 1765200000000) has none: they are signed once, from the certificate's
   * stored facts and identity salt, on the first fetch, and kept.
   * @throws DomainError `certificate.not_found` when there is no such certificate
   */
  private async signMissingForms(serial: string, want: StoredForm): Promise<string> {
    // An unknown serial is answered by one read, never queued behind the writes.
    const [known] = (await this.db.query(portableSql(this.db, 'SELECT 1 AS one FROM certificates WHERE serial = ?'), [
      serial,
    ])) as unknown[];
    if (!known) throw new DomainError('certificate.not_found');
    return this.tx.run(async (m) => {
      const cert = await m.findOneBy(Certificate, { serial });
      if (!cert) throw new DomainError('certificate.not_found');
      const existing = await m.findOneBy(CertificateCredential, { serial, form: want });
      if (existing) return existing.jws;
      if (!cert.identitySalt) {
        cert.identitySalt = newIdentitySalt();
        await m.update(Certificate, { id: cert.id }, { identitySalt: cert.identitySalt });
      }
      const e = await m.findOneByOrFail(Engagement, { id: cert.engagementId });
      const forms = this.signer.signForms(
        cert,
        await m.findOneByOrFail(Worker, { id: cert.workerId }),
        await m.findOneByOrFail(Municipality, { id: e.municipalityId }),
        e,
      );
      await m.createQueryBuilder().insert().into(CertificateCredential).values(forms.map(sealedForm)).orIgnore().execute();
      return (await m.findOneByOrFail(CertificateCredential, { serial, form: want })).jws;
    });
  }

  /**
   * Town staff check a list (up to 1,000) at once; each serial answers on its own: its facts, or
   * `not_found`, `mistyped` (its check character does not match) or `invalid` (not a serial).
   */
  async verifyMany(
    user: AuthUser,
    serials: string[],
  ): Promise<(PublicCertificateFacts | CertificateFacts | { serial: string; status: VerifyProblem })[]> {
    const parsed = serials.map((s) => ({ input: s, p: parseSerial(s) }));
    const valid = [...new Set(parsed.flatMap((x) => (x.p.ok ? [x.p.serial] : [])))];
    const described = new Map((valid.length ? await this.describe({ serials: valid }, user) : []).map((f) => [f.serial, f]));
    return parsed.map(({ input, p }) => {
      if (!p.ok) return { serial: input, status: p.reason === 'checksum' ? 'mistyped' : 'invalid' };
      return described.get(p.serial) ?? { serial: p.serial, status: 'not_found' };
    });
  }

  /** The signed-in worker's own certificates, newest first (a worker sees their own holder). */
  async mine(user: AuthUser): Promise<CertificateFacts[]> {
    return (await this.describe({ workerId: user.workerId! }, user)).filter(seesHolder);
  }

  /**
   * The certificate, if the user may revoke or reinstate it (src/access: town
   * staff of its engagement's municipality, an admin); 404 otherwise.
   */
  private async townsCertificate(
    m: EntityManager,
    user: AuthUser,
    serial: string,
    permission: 'certificate.revoke' | 'certificate.reinstate',
  ): Promise<Certificate> {
    const cert = await m.findOneBy(Certificate, { serial });
    const e = cert && (await m.findOneBy(Engagement, { id: cert.engagementId }));
    if (!cert || !e || !(await this.access.can(user, permission, e))) throw new DomainError('certificate.not_found');
    return cert;
  }

  /**
   * Town staff of the engagement's municipality, or an admin, revoke with a
   * reason; the status bit flips at once, and no certificate is issued for
   * the (worker, engagement) until the town reinstates. A conditional update:
   * of two simultaneous revocations one wins, the other gets 409.
   * @throws DomainError `certificate.not_found` (404), `certificate.not_revocable` (409)
   */
  async revoke(user: AuthUser, serial: string, reason: string) {
    const canonical = this.canonicalSerial(serial);
    await this.tx.run(async (m) => {
      await this.audit.lock(m); // one lock order with issuance: the chain, then certificates, then the status list
      const cert = await this.townsCertificate(m, user, canonical, 'certificate.revoke');
      const now = new Date();
      const res = await m
        .createQueryBuilder()
        .update(Certificate)
        .set({ status: 'revoked', revokedAt: now, revocationReason: reason.trim() })
        .where("id = :id AND status = 'valid'", { id: cert.id })
        .execute();
      if (res.affected === 0) throw new DomainError('certificate.not_revocable', { status: cert.status });
      await this.audit.record(m, {
        action: 'certificate.revoked',
        actor: user,
        targetType: 'certificate',
        targetId: cert.id,
        engagementId: cert.engagementId,
        details: { serial: cert.serial },
      });
      await this.signer.writeStatusBit(m, cert, 'revoked', now);
      await this.noticeRevocation(m, cert, reason.trim());
    });
    return this.facts(canonical, user);
  }

  /**
   * The town lifts a revocation's hold (docs/certificates.md, "Revocation and
   * reinstatement"). The revoked certificate stays revoked (its bit is
   * final); a new certificate, with a new serial, is issued at once from the
   * completions that count, unless `retraining` asks the worker to pass every
   * module again first (then it is issued by the pass that completes it).
   * Audited (`certificate.reinstated`); the typed reason stays on the
   * certificate, out of the audit trail, which holds no free text.
   * @returns the revoked certificate's facts and the new certificate's serial, if one was issued
   * @throws DomainError `certificate.not_found` (404), `certificate.not_reinstatable` (409: not revoked, or already reinstated)
   */
  async reinstate(user: AuthUser, serial: string, reason: string, retraining: boolean) {
    const canonical = this.canonicalSerial(serial);
    const issued = await this.tx.run(async (m) => {
      await this.audit.lock(m);
      const cert = await this.townsCertificate(m, user, canonical, 'certificate.reinstate');
      const res = await m
        .createQueryBuilder()
        .update(Certificate)
        .set({ reinstatedAt: new Date(), reinstatementReason: reason.trim(), retrainingRequired: retraining })
        .where("id = :id AND status = 'revoked' AND reinstated_at IS NULL", { id: cert.id })
        .execute();
      if (res.affected === 0) throw new DomainError('certificate.not_reinstatable', { status: cert.status });
      await this.audit.record(m, {
        action: 'certificate.reinstated',
        actor: user,
        targetType: 'certificate',
        targetId: cert.id,
        engagementId: cert.engagementId,
        details: { serial: cert.serial, retraining },
      });
      return this.issuance.afterReinstatement(m, cert);
    });
    return { certificate: await this.facts(canonical, user), issued: issued ? { serial: issued.serial } : null };
  }

  /**
   * The status list as a signed BitstringStatusListCredential: the stored
   * form, signed when a bit last changed. A list the migration touched (or
   * one from before stored forms) is signed on its first fetch and kept,
   * unless a bit changed meanwhile (then the newer stored form stands).
   * @throws DomainError `status_list.not_found` (404)
   */
  async statusListJws(id: string): Promise<string> {
    const [row] = (await this.db.query(portableSql(this.db, 'SELECT jws, bits, updated_at FROM status_lists WHERE id = ?'), [id])) as {
      jws: string | null;
      bits: string;
      updated_at: string;
    }[];
    if (!row) throw new DomainError('status_list.not_found');
    if (row.jws) return row.jws;
    const jws = this.signer.signStatusList(id, row.bits, new Date(row.updated_at));
    await this.tx.run((m) =>
      m
        .createQueryBuilder()
        .update(StatusList)
        .set({ jws })
        .where('id = :id AND jws IS NULL AND updated_at = :at', { id, at: row.updated_at })
        .execute(),
    );
    return jws;
  }

  jwks() {
    return this.keys.jwks();
  }

  /**
   * One public key by its thumbprint: what a credential's `kid` URL answers.
   * @throws DomainError `signing_key.not_found` (404)
   */
  async jwk(thumbprint: string) {
    const jwk = await this.keys.jwk(thumbprint);
    if (!jwk) throw new DomainError('signing_key.not_found');
    return jwk;
  }

  /** This service's JSON-LD context document (credential/open-badge.ts `article4Context`). */
  context() {
    return article4Context(this.config.publicBaseUrl);
  }

  /**
   * Certificates (by serial, or a worker's newest first) with their
   * engagement, municipality, organization and holder in one statement, only
   * the columns the facts need: the public verification is the most frequent
   * request the service answers.
   */
  private async describe(
    which: { serials: string[] } | { workerId: string },
    user?: AuthUser,
  ): Promise<(PublicCertificateFacts | CertificateFacts)[]> {
    const [where, params] =
      'workerId' in which
        ? ['c.worker_id = ? ORDER BY c.issued_at DESC', [which.workerId]]
        : which.serials.length === 1
          ? ['c.serial = ?', which.serials]
          : [`c.serial IN (${placeholders(which.serials.length)})`, which.serials];
    const rows = ((await this.db.query(portableSql(this.db, `${FACTS_SELECT} WHERE ${where}`), params)) as FactsRow[]).map((r) => ({
      ...r,
      worker_name: decrypted('workers.name', r.worker_name),
      worker_email: decrypted('workers.email', r.worker_email),
    }));
    const now = new Date();
    const out: (PublicCertificateFacts | CertificateFacts)[] = [];
    for (const r of rows) {
      const full = await this.access.can(user, 'certificate.holder.read', {
        workerId: r.worker_id,
        organizationId: r.organization_id,
        engagementId: r.engagement_id,
        municipalityId: r.municipality_id,
      });
      const shown: PublicCertificateFacts = {
        serial: r.serial,
        status: effectiveStatus({ status: r.status, validUntil: r.valid_until }, now),
        validFrom: r.valid_from,
        validUntil: r.valid_until,
        revokedAt: r.revoked_at,
        engagement: { title: r.title, municipality: r.municipality_name },
        organization: { name: r.organization_name },
        // The masked name as issued: it stays after the worker's name is erased at close-out.
        holder: { maskedName: r.holder_masked_name ?? maskName(r.worker_name) },
      };
      if (!full) {
        out.push(shown);
        continue;
      }
      out.push({
        ...shown,
        issuedAt: r.issued_at,
        revocationReason: r.revocation_reason,
        reinstatedAt: r.reinstated_at,
        engagement: {
          id: r.engagement_id,
          title: r.title,
          contractNumber: r.contract_number,
          municipality: r.municipality_name,
          municipalityCode: r.municipality_code,
        },
        modules: JSON.parse(r.modules) as AttestedModule[],
        holder: { maskedName: shown.holder.maskedName, name: r.worker_name, email: r.worker_email },
      });
    }
    return out;
  }
}

const PUBLIC_FACTS_SQL = `SELECT serial, status, valid_from, valid_until, revoked_at, engagement_title, municipality_name, organization_name, holder_masked_name
  FROM certificates WHERE serial = ?`;

interface PublicFactsRow {
  serial: string;
  status: StoredCertificateStatus;
  valid_from: string;
  valid_until: string;
  revoked_at: string | null;
  engagement_title: string | null;
  municipality_name: string | null;
  organization_name: string | null;
  holder_masked_name: string | null;
}

/* Instants are stored as fixed-width ISO-8601 UTC text (database/columns.ts), so they are passed on as read. */
const FACTS_SELECT = `SELECT c.serial, c.status, c.valid_from, c.valid_until, c.issued_at, c.revoked_at, c.revocation_reason, c.reinstated_at, c.modules,
    c.worker_id, c.organization_id, e.id AS engagement_id, e.title, e.contract_number, e.municipality_id,
    m.name AS municipality_name, m.code AS municipality_code, o.name AS organization_name, w.name AS worker_name, w.email AS worker_email, c.holder_masked_name
  FROM certificates c
  JOIN engagements e ON e.id = c.engagement_id
  JOIN municipalities m ON m.id = e.municipality_id
  JOIN organizations o ON o.id = c.organization_id
  JOIN workers w ON w.id = c.worker_id`;

interface FactsRow {
  serial: string;
  status: StoredCertificateStatus;
  valid_from: string;
  valid_until: string;
  issued_at: string;
  revoked_at: string | null;
  revocation_reason: string | null;
  reinstated_at: string | null;
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
  /** Encrypted as stored; null for a certificate issued before the masked name was kept. */
  holder_masked_name: string | null;
}
