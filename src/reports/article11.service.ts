import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { canonicalJson, sha256Hex } from '../common/canonical-json';
import { ContentService } from '../content/content.service';
import { Municipality } from '../municipalities/municipality.entity';
import { AuditService } from '../audit/audit.service';
import { SystemService } from '../system/system.service';
import { totals, TrackingService } from './tracking.service';
import type { WorkerSummary } from './tracking-data';

/** A worker holding a valid certificate, as the report lists them. */
export interface CertifiedWorker {
  workerId: string;
  name: string;
  organization: string;
  serial: string;
  validFrom: string;
  validUntil: string;
  modules: { moduleId: string; revision: number }[];
}

const digestFacts = (value: string) => ({ algorithm: 'SHA-256', canonicalization: 'JSON, keys sorted, no white space', value });

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

  /**
   * The report as one object and its digest (the printable page renders it).
   * The same data and digest as `reportStream`.
   */
  async report(user: AuthUser, engagementId: string) {
    const { report: rest, certified } = await this.build(user, engagementId);
    const certifiedWorkers: CertifiedWorker[] = [];
    for await (const page of certified) certifiedWorkers.push(...page);
    const report = { ...rest, certifiedWorkers };
    const digest = sha256Hex(canonicalJson(report));
    await this.recordGenerated(user, engagementId, digest);
    return { report, digest: digestFacts(digest) };
  }

  /**
   * The report as JSON, `{"report": …, "digest": {…}}`, streamed: the report
   * is written as its canonical JSON (keys sorted, so `certifiedWorkers`, the
   * part that grows with the workers, comes first), page by page as the
   * reader takes it, and its SHA-256 is computed over the same bytes as they
   * leave. The digest, recorded in the audit trail, follows the report.
   * Memory holds the workers' compact standings and one page (issue 17).
   */
  async reportStream(user: AuthUser, engagementId: string): Promise<Readable> {
    const { report: rest, certified } = await this.build(user, engagementId);
    const record = (digest: string) => this.recordGenerated(user, engagementId, digest);
    return Readable.from(
      (async function* () {
        const hash = createHash('sha256');
        const out = (s: string) => (hash.update(s, 'utf8'), s);
        yield '{"report":' + out('{"certifiedWorkers":[');
        let first = true;
        for await (const page of certified) {
          if (!page.length) continue;
          yield out((first ? '' : ',') + page.map((w) => canonicalJson(w)).join(','));
          first = false;
        }
        // The other keys all sort after "certifiedWorkers": the rest of the canonical object, without its opening brace.
        yield out('],' + canonicalJson(rest).slice(1));
        const digest = hash.digest('hex');
        await record(digest);
        yield `,"digest":${JSON.stringify(digestFacts(digest))}}`;
      })(),
      { objectMode: false },
    );
  }

  /** Everything but the certified workers, and those page by page in tree order. */
  private async build(user: AuthUser, engagementId: string) {
    const data = await this.tracking.progressExport(user, engagementId, {}, 'engagement.report.read');
    const e = data.engagement;
    const municipality = await this.db.getRepository(Municipality).findOneByOrFail({ id: e.municipalityId });
    const orgs = new Map(data.organizations.map((o) => [o.id, o]));
    const byOrg = new Map<string, WorkerSummary[]>();
    for (const w of data.summaries) {
      const list = byOrg.get(w.organizationId);
      if (list) list.push(w);
      else byOrg.set(w.organizationId, [w]);
    }
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
        curriculum: data.curriculum.map((id) => {
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
        const t = totals(byOrg.get(o.id) ?? []);
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
      totals: totals(data.summaries),
      // What generated the report (Article 12: the town may inspect what runs).
      system: this.systemFacts(),
    };
    const certified = (async function* (): AsyncIterable<CertifiedWorker[]> {
      for await (const page of data.pages)
        yield page
          .filter((w) => w.status === 'certified' || w.status === 'expiring')
          .map((w) => ({
            workerId: w.id,
            name: w.name,
            organization: w.organization.name,
            serial: w.certificate!.serial,
            validFrom: w.certificate!.validFrom,
            validUntil: w.certificate!.validUntil,
            modules: w.certificate!.modules.map((m) => ({ moduleId: m.moduleId, revision: m.revision })),
          }));
    })();
    return { report, certified };
  }

  private async recordGenerated(user: AuthUser, engagementId: string, digest: string): Promise<void> {
    await this.audit.append({
      action: 'report.generated',
      actor: user,
      targetType: 'engagement',
      targetId: engagementId,
      engagementId,
      details: { digest },
    });
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
