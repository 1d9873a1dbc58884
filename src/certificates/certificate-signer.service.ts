import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ContentService } from '../content/content.service';
import type { Engagement } from '../engagements/engagement.entity';
import type { Municipality } from '../municipalities/municipality.entity';
import type { Worker } from '../workers/worker.entity';
import { CertificateCredential } from './certificate-credential.entity';
import { Certificate } from './certificate.entity';
import { buildOpenBadgeCredential, openBadgeJwtClaims, vcJosePayload } from './credential/open-badge';
import { SigningKeysService } from './credential/signing-keys.service';
import { encodedList, setBit, statusListCredential } from './credential/status-list';
import { statusBitSet, StoredCertificateStatus } from './standing';
import { StatusList } from './status-list.entity';

/**
 * What is signed, in one place: a certificate's stored forms and the status
 * lists (docs/certificates.md, "Two forms" and "Status"). Issuance signs a new
 * certificate's forms; issuance, supersession and revocation write status bits.
 */
@Injectable()
export class CertificateSigner {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly content: ContentService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Every stored form of a certificate, signed now (docs/certificates.md,
   * "Two forms"): public and holder's, each as VC-JOSE (EdDSA) and as the
   * Open Badges 3.0 §8.2 JWT (ES256). Signed once, so serving one is a read.
   */
  signForms(
    cert: Pick<
      Certificate,
      'id' | 'serial' | 'validFrom' | 'validUntil' | 'modules' | 'statusListId' | 'statusIndex' | 'identitySalt' | 'holderMaskedName'
    >,
    worker: Pick<Worker, 'name' | 'email'>,
    municipality: Pick<Municipality, 'name' | 'code'>,
    e: Pick<Engagement, 'id' | 'title'>,
  ): CertificateCredential[] {
    const forms: CertificateCredential[] = [];
    for (const form of ['public', 'holder'] as const) {
      const vc = buildOpenBadgeCredential({
        baseUrl: this.config.publicBaseUrl,
        serial: cert.serial,
        subjectId: `urn:uuid:${cert.id}`,
        validFrom: cert.validFrom,
        validUntil: cert.validUntil,
        municipality: { name: municipality.name, code: municipality.code },
        engagement: { id: e.id, title: e.title },
        holder: { email: worker.email, name: worker.name, salt: cert.identitySalt!, maskedName: cert.holderMaskedName ?? undefined },
        modules: cert.modules.map((x) => ({ ...x, title: this.content.has(x.moduleId) ? this.content.get(x.moduleId).title : undefined })),
        status: { listUrl: this.statusListUrl(cert.statusListId), index: cert.statusIndex },
        form,
      });
      forms.push({ serial: cert.serial, form: `${form}.vc`, jws: this.keys.signCredential(vcJosePayload(vc)) });
      forms.push({ serial: cert.serial, form: `${form}.jwt`, jws: this.keys.signJwt(openBadgeJwtClaims(vc)) });
    }
    return forms;
  }

  /**
   * Writes a certificate's status bit for its new stored status (standing.ts
   * `statusBitSet`: set for revoked and superseded) and signs the list anew in
   * the same transaction, so what is served is always the stored bits.
   * Callers hold the audit lock, which orders every writer of a list (the
   * read-modify-write of `bits` cannot lose another's bit).
   */
  async writeStatusBit(
    m: EntityManager,
    cert: Pick<Certificate, 'statusListId' | 'statusIndex'>,
    status: StoredCertificateStatus,
    now: Date,
  ): Promise<void> {
    const list = await m.findOneByOrFail(StatusList, { id: cert.statusListId });
    const bits = setBit(list.bits, cert.statusIndex, statusBitSet(status));
    await m.update(StatusList, { id: list.id }, { bits, updatedAt: now, jws: this.signStatusList(list.id, bits, now) });
  }

  signStatusList(id: string, bits: string, at: Date): string {
    const url = this.statusListUrl(id);
    return this.keys.signCredential(
      vcJosePayload(
        statusListCredential({
          id: url,
          issuer: { id: this.config.publicBaseUrl, name: 'article4-lms' },
          validFrom: at,
          encodedList: encodedList(bits),
        }),
      ),
    );
  }

  statusListUrl(id: string): string {
    return `${this.config.publicBaseUrl}/api/v1/status-lists/${id}`;
  }
}
