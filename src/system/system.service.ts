import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { todayJst } from '../common/dates';
import { APP_CONFIG, AppConfig, type DatabaseKind } from '../config/app-config';
import { nodeRuntimeFacts, RuntimeFacts } from './runtime';

/** The repository root, from src/system (ts-node, Jest) and dist/system (built) alike. */
const ROOT = join(__dirname, '..', '..');
/** Where `npm run sbom` (and `npm run build`) writes the CycloneDX bill of materials. */
export const SBOM_PATH = join(ROOT, 'dist', 'sbom.cdx.json');

export interface SbomFacts {
  format: string;
  /** SHA-256 of the document's bytes, hex. */
  digest: string;
  components: number;
}

/** What runs, for the town inspecting under Article 12 and for the operator: version, runtime, bill of materials. */
export interface SystemFacts {
  service: { name: string; version: string };
  runtime: RuntimeFacts;
  database: DatabaseKind;
  sbom: SbomFacts | null;
}

/**
 * The service's own facts. The version comes from package.json, the runtime
 * from the running process, the bill of materials from the CycloneDX file the
 * build wrote (null when it was never generated: `npm run sbom`).
 */
@Injectable()
export class SystemService {
  private readonly pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  private sbomCache?: { bytes: Buffer; facts: SbomFacts } | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  facts(now = new Date()): SystemFacts {
    return {
      service: { name: this.pkg.name, version: this.pkg.version },
      runtime: nodeRuntimeFacts(process.versions.node, todayJst(now)),
      database: this.config.databaseKind,
      sbom: this.sbom()?.facts ?? null,
    };
  }

  /** The CycloneDX document as written, or null. Read once: it changes only with a new build. */
  sbomDocument(): Buffer | null {
    return this.sbom()?.bytes ?? null;
  }

  private sbom(): { bytes: Buffer; facts: SbomFacts } | null {
    if (this.sbomCache !== undefined) return this.sbomCache;
    let bytes: Buffer;
    try {
      bytes = readFileSync(SBOM_PATH);
    } catch {
      return (this.sbomCache = null);
    }
    const doc = JSON.parse(bytes.toString('utf8')) as {
      bomFormat?: string;
      specVersion?: string;
      components?: unknown[];
    };
    return (this.sbomCache = {
      bytes,
      facts: {
        format: `${doc.bomFormat ?? 'unknown'} ${doc.specVersion ?? ''}`.trim(),
        digest: createHash('sha256').update(bytes).digest('hex'),
        components: doc.components?.length ?? 0,
      },
    });
  }
}
