import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { canonicalJson } from '../common/canonical-json';
import { ContentService } from '../content/content.service';
import { Municipality } from '../municipalities/municipality.entity';
import { AuditService } from '../audit/audit.service';
import { SystemService } from '../system/system.service';
import { releaseHeapAfterExport } from '../system/heap-release';
import { isCertified, loadCertificateDetails, type WorkerSummary } from './tracking-data';
import { EXPORT_PAGE, newTotals, totalsByOrganization, TrackingService } from './tracking.service';

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

/** Every assigned person with their standing, as the report lists them (its `workers`). */
export interface AssignedWorker {
  workerId: string;
  name: string;
  organizationId: string;
  status: WorkerSummary['status'];
  overdue: boolean;
  serial: string | null;
  validUntil: string | null;
}

/** The report without the two lists that grow with the workers (`certifiedWorkers`, `workers`), as `reportParts` hands it. */
export type ReportHead = Awaited<ReturnType<Article11Service['build']>>['report'];

/** A page of one of the report's growing lists, with its fragment of the canonical JSON. */
export interface ReportPage<W> {
  workers: W[];
  /** The page's part of the report's canonical JSON, UTF-8 (with the comma that joins it to the page before). */
  canonical: Buffer;
}

/**
 * `lead` then `parts` joined with commas, as UTF-8 bytes, written part by part: the page-sized string that
 * `join` built (over 128 KB, two-byte with the names) went straight into V8's large-object space and, with
 * its flattened copy for the hash, made most of the old generation's growth during a 100,000-worker report
 * (issue 17: a sampling heap profile of the export).
 */
function utf8Join(lead: string, parts: readonly string[]): Buffer {
  let size = Buffer.byteLength(lead, 'utf8') + Math.max(0, parts.length - 1);
  for (const p of parts) size += Buffer.byteLength(p, 'utf8');
  const out = Buffer.allocUnsafe(size);
  let at = out.write(lead, 0, 'utf8');
  for (let i = 0; i < parts.length; i++) {
    if (i) at += out.write(',', at, 'utf8');
    at += out.write(parts[i], at, 'utf8');
  }
  // Never send uninitialised bytes (allocUnsafe): byteLength and write agree, this only guards that they do.
  if (at !== size) throw new Error(`utf8Join: wrote ${at} of ${size} bytes`);
  return out;
}

export interface ReportParts {
  report: ReportHead;
  certifiedCount: number;
  assignedCount: number;
  /** The certified workers page by page; read it first. */
  certified: AsyncIterable<ReportPage<CertifiedWorker>>;
  /** Every assigned person page by page, after `certified` (their order in the canonical JSON). */
  workers: AsyncIterable<ReportPage<AssignedWorker>>;
  /** The SHA-256 of the report's canonical JSON, once both lists were read; records the report in the audit trail. */
  digest(): Promise<string>;
}

export const digestFacts = (value: string) => ({ algorithm: 'SHA-256', canonicalization: 'JSON, keys sorted, no white space', value });

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
   * The report in parts, for writers that stream it (the JSON below, the
   * printable page): everything but the certified workers (`report`), then
   * those page by page in tree order (`certified`, each page with its
   * fragment of canonical JSON), the SHA-256 over the report's canonical
   * JSON computed as the pages go by. `digest()`, called once every page was
   * read, finishes it and records it in the audit trail (`report.generated`).
   * The canonical JSON sorts keys, so `certifiedWorkers`, the part that grows
   * with the workers, comes first and the rest follows it. Memory holds the
   * workers' compact standings and one page (issue 17).
   */
  async reportParts(user: AuthUser, engagementId: string): Promise<ReportParts> {
    const { report, certified, assigned } = await this.build(user, engagementId);
    // The canonical JSON sorts keys: `certifiedWorkers` comes first, `workers` last, the head between them.
    const hash = createHash('sha256').update('{"certifiedWorkers":[', 'utf8');
    let state = 'certified' as 'certified' | 'workers' | 'done';
    const pages = async function* <W>(source: AsyncIterable<W[]> | Iterable<W[]>): AsyncGenerator<ReportPage<W>> {
      let first = true;
      for await (const workers of source) {
        if (!workers.length) continue;
        // One page per turn of the event loop, so other requests are answered while a large report streams
        // (TrackingService.exportRows says why).
        await nextTurn();
        const canonical = utf8Join(
          first ? '' : ',',
          workers.map((w) => canonicalJson(w)),
        );
        first = false;
        hash.update(canonical);
        yield { workers, canonical };
      }
    };
    return {
      report,
      certifiedCount: report.totals.certified,
      assignedCount: report.totals.assigned,
      certified: (async function* () {
        try {
          yield* pages(certified);
          state = 'workers';
        } finally {
          // Abandoned or failed here, the assigned workers are never read: the heap goes back now.
          if (state !== 'workers') releaseHeapAfterExport(report.totals.assigned);
        }
      })(),
      workers: (async function* () {
        if (state !== 'workers') throw new Error('Article11Service: the assigned workers read before the certified ones');
        try {
          hash.update('],' + canonicalJson(report).slice(1, -1) + ',"workers":[', 'utf8');
          yield* pages(assigned);
          hash.update(']}', 'utf8');
          state = 'done';
        } finally {
          releaseHeapAfterExport(report.totals.assigned);
        }
      })(),
      digest: async () => {
        if (state !== 'done') throw new Error('Article11Service: digest() before every worker was read');
        const digest = hash.digest('hex');
        await this.recordGenerated(user, engagementId, digest);
        return digest;
      },
    };
  }

  /**
   * The report as JSON, `{"report": …, "digest": {…}}`, streamed: the report
   * written as its canonical JSON, page by page as the reader takes it, the
   * digest (over exactly those bytes) after it.
   */
  async reportStream(user: AuthUser, engagementId: string): Promise<Readable> {
    const parts = await this.reportParts(user, engagementId);
    return Readable.from(
      (async function* () {
        yield '{"report":{"certifiedWorkers":[';
        for await (const page of parts.certified) yield page.canonical;
        yield '],' + canonicalJson(parts.report).slice(1, -1) + ',"workers":[';
        for await (const page of parts.workers) yield page.canonical;
        yield `]},"digest":${JSON.stringify(digestFacts(await parts.digest()))}}`;
      })(),
      { objectMode: false },
    );
  }

  /**
   * Everything but the two growing lists, and those page by page in tree
   * order: the certified workers with their certificates (read a page at a
   * time), every assigned person from the compact standings already held.
   */
  async build(user: AuthUser, engagementId: string) {
    const data = await this.tracking.exportRows(user, engagementId, {}, 'engagement.report.read');
    const e = data.engagement;
    const municipality = await this.db.getRepository(Municipality).findOneByOrFail({ id: e.municipalityId });
    const orgs = new Map(data.organizations.map((o) => [o.id, o]));
    const counted = totalsByOrganization(data.standings);
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
        const t = counted.byOrganization.get(o.id) ?? newTotals();
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
      totals: counted.all,
      // What generated the report (Article 12: the town may inspect what runs).
      system: this.systemFacts(),
    };
    // Only the certified workers' certificates are read, a page at a time (their serial is in the standings already).
    const db = this.db;
    const standings = data.standings;
    const certified = (async function* (): AsyncIterable<CertifiedWorker[]> {
      for (const page of certifiedPages(standings)) {
        const details = await loadCertificateDetails(
          db,
          page.map((w) => w.certificate!.serial),
        );
        yield page.map((w) => {
          const c = details.get(w.certificate!.serial);
          return {
            workerId: w.id,
            name: w.name,
            organization: orgs.get(w.organizationId)!.name,
            serial: w.certificate!.serial,
            validFrom: c?.validFrom ?? '',
            validUntil: w.certificate!.validUntil,
            modules: (c?.modules ?? []).map((m) => ({ moduleId: m.moduleId, revision: m.revision })),
          };
        });
      }
    })();
    // Every assigned person with their standing, in tree order (Article 4: the town sees who has not finished
    // too), a page at a time from the compact standings already held: no further read, no list of them all.
    const assigned = (function* (): Iterable<AssignedWorker[]> {
      for (let i = 0; i < standings.length; i += EXPORT_PAGE)
        yield standings.page(i, i + EXPORT_PAGE).map((w) => ({
          workerId: w.id,
          name: w.name,
          organizationId: w.organizationId,
          status: w.status,
          overdue: w.overdue,
          serial: w.certificate?.serial ?? null,
          validUntil: w.certificate?.validUntil ?? null,
        }));
    })();
    return { report, certified, assigned };
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

/** The certified workers among `standings`, in their order, EXPORT_PAGE at a time. */
function* certifiedPages(standings: Iterable<WorkerSummary>): Iterable<WorkerSummary[]> {
  let page: WorkerSummary[] = [];
  for (const w of standings) {
    if (!isCertified(w.status)) continue;
    page.push(w);
    if (page.length === EXPORT_PAGE) {
      yield page;
      page = [];
    }
  }
  if (page.length) yield page;
}
