import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user';
import { canonicalJson, sha256Hex } from '../common/canonical-json';
import { ContentService } from '../content/content.service';
import { Municipality } from '../municipalities/municipality.entity';
import { AuditService } from '../audit/audit.service';
import { SystemService } from '../system/system.service';
import { isCertified } from './tracking-data';
import { totals, TrackingService } from './tracking.service';

/**
 * Article 11: the town may ask at any time how the provisions are kept. The
 * report is data first (JSON), with a SHA-256 digest over its canonical JSON
 * so a filed copy can later be shown unaltered; the printable page renders
 * the same data.
 */
@Injectable()
export class Article11Service {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tracking: TrackingService,
    private readonly content: ContentService,
    private readonly audit: AuditService,
    private readonly system: SystemService,
  ) {}

  async report(user: AuthUser, engagementId: string) {
    const data = await this.tracking.data(user, engagementId, 'engagement.report.read');
    const e = data.engagement;
    const municipality = await this.db.getRepository(Municipality).findOneByOrFail({ id: e.municipalityId });
    const orgs = new Map(data.organizations.map((o) => [o.id, o]));
    const report = {
      kind: 'article11-compliance-report',
      generatedAt: new Date().toISOString(),
      engagement: {
        id: e.id,
        title: e.title,
        contractNumber: e.contractNumber,
        municipality: { name: municipality.name, code: municipality.code },
        prime: { id: e.primeOrganizationId, name: orgs.get(e.primeOrganizationId)?.name ?? null },
        startsOn: e.startsOn,
        endsOn: e.endsOn,
        handlesPersonalInfo: e.handlesPersonalInfo,
        handlesMyNumber: e.handlesMyNumber,
        usesCloudStorage: e.usesCloudStorage,
        certificateValidityDays: e.certificateValidityDays,
        curriculum: e.curriculum
          .filter((id) => this.content.has(id))
          .map((id) => {
            const m = this.content.get(id);
            return {
              moduleId: id,
              revision: m.revision,
              minimumRevision: m.minimumRevision,
              title: { ja: m.title.ja, en: m.title.en },
              articles: [...m.articles],
            };
          }),
      },
      subcontractors: data.organizations
        .filter((o) => o.status !== 'prime')
        .map((o) => ({
          organizationId: o.id,
          name: o.name,
          parentOrganizationId: o.parentOrganizationId,
          parentName: o.parentOrganizationId ? (orgs.get(o.parentOrganizationId)?.name ?? null) : null,
          tier: o.tier,
          status: o.status,
          decidedOn: o.decidedOn,
          reference: o.reference,
        })),
      organizations: data.organizations.map((o) => {
        const ws = data.workers.filter((w) => w.organizationId === o.id);
        const t = totals(ws);
        return {
          organizationId: o.id,
          name: o.name,
          tier: o.tier,
          status: o.status,
          assigned: t.assigned,
          certified: t.certified,
          overdue: t.overdue,
        };
      }),
      certifiedWorkers: data.workers
        .filter((w) => isCertified(w.status))
        .map((w) => ({
          workerId: w.id,
          name: w.name,
          organization: orgs.get(w.organizationId)!.name,
          serial: w.certificate!.serial,
          validFrom: w.certificate!.validFrom,
          validUntil: w.certificate!.validUntil,
          modules: w.certificate!.modules.map((m) => ({ moduleId: m.moduleId, revision: m.revision })),
        })),
      totals: totals(data.workers),
      // What generated the report (Article 12: the town may inspect what runs).
      system: this.systemFacts(),
    };
    const digest = sha256Hex(canonicalJson(report));
    await this.audit.append({
      action: 'report.generated',
      actor: user,
      targetType: 'engagement',
      targetId: e.id,
      engagementId: e.id,
      details: { digest },
    });
    return { report, digest: { algorithm: 'SHA-256', canonicalization: 'JSON, keys sorted, no white space', value: digest } };
  }

  private systemFacts() {
    const f = this.system.facts();
    return {
      service: f.service.name,
      version: f.service.version,
      node: f.runtime.version,
      nodeEndOfLife: f.runtime.endOfLife,
      nodeSupport: f.runtime.support,
      sbomDigest: f.sbom?.digest ?? null,
    };
  }
}
