import { CERTIFICATE_STATUSES, type CertificateStatus } from '../certificates/standing';
import type { WorkerSummary } from './tracking-data';
import { WORKER_STATUSES } from './worker-status';

/** What the export's order compares: tracking.service.ts `treeOrder`. */
export type SortKey = Pick<WorkerSummary, 'id' | 'name' | 'organizationId'>;

/** A lower-case UUID (what the service generates for workers): held as its 16 bytes. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NO_CERTIFICATE = 255;
const OVERDUE = 0x80;

/**
 * The standings an export holds from the pass over the workers to its last page (issue 17: the CSV export
 * and the Article 11 report at 100,000 workers), in columns rather than one WorkerSummary object and one
 * certificate object per worker. Measured on objects shaped like the summaries: 252 bytes a worker, 24 MB at
 * 100,000, alive for the whole export; here ~75 bytes a certified worker: the id as its 16 bytes (a UUID;
 * any other id stays a string), the organization, the statuses and the overdue flag as bytes, the end of
 * validity as a number (an instant in the stored `toISOString()` form; any other text stays a string), the
 * serial as it is, and the name, the same string the decrypted-name cache holds (field-cipher.ts).
 * `page` gives the summaries back, equal to those added, in the order `sort` put them.
 */
export class KeptStandings {
  private size = 0;
  private ids = Buffer.alloc(0);
  private organizations = new Uint32Array(0);
  /** Worker status index | OVERDUE. */
  private statuses = new Uint8Array(0);
  /** Certificate status index, or NO_CERTIFICATE. */
  private certificateStatuses = new Uint8Array(0);
  private validUntil = new Float64Array(0);
  private readonly names: string[] = [];
  private readonly serials: (string | null)[] = [];
  /** The few values not held in the compact form, by position: ids that are not UUIDs, instants in another form. */
  private readonly otherIds = new Map<number, string>();
  private readonly otherValidUntil = new Map<number, string>();
  private readonly organizationIds: string[] = [];
  private readonly organizationIndex = new Map<string, number>();
  /** Positions in the order the pages give them. */
  private order: Uint32Array | null = null;

  get length(): number {
    return this.size;
  }

  add(w: WorkerSummary): void {
    const i = this.size++;
    if (i === this.statuses.length) this.grow(Math.max(1024, i * 2));
    if (UUID.test(w.id)) this.ids.write(w.id.replaceAll('-', ''), i * 16, 'hex');
    else this.otherIds.set(i, w.id);
    let org = this.organizationIndex.get(w.organizationId);
    if (org === undefined) {
      org = this.organizationIds.push(w.organizationId) - 1;
      this.organizationIndex.set(w.organizationId, org);
    }
    this.organizations[i] = org;
    this.statuses[i] = WORKER_STATUSES.indexOf(w.status) | (w.overdue ? OVERDUE : 0);
    this.names.push(w.name);
    const c = w.certificate;
    this.serials.push(c ? c.serial : null);
    this.certificateStatuses[i] = c ? CERTIFICATE_STATUSES.indexOf(c.status) : NO_CERTIFICATE;
    if (c) {
      const ms = Date.parse(c.validUntil);
      if (!Number.isNaN(ms) && new Date(ms).toISOString() === c.validUntil) this.validUntil[i] = ms;
      else this.otherValidUntil.set(i, c.validUntil);
    }
  }

  /**
   * Puts the standings in the order of `compare` (the export's tree order: tracking.service.ts `treeOrder`,
   * the one rule for it). `compare` sees each standing's id, name and organization; the id is made only
   * when it asks for it (ties on organization and name).
   */
  sort(compare: (a: SortKey, b: SortKey) => number): void {
    const a = this.sortKey();
    const b = this.sortKey();
    const order = new Uint32Array(this.size);
    for (let i = 0; i < this.size; i++) order[i] = i;
    order.sort((i, j) => {
      a.at = i;
      b.at = j;
      return compare(a, b);
    });
    this.order = order;
  }

  /** A reusable view of one standing for `sort`'s comparisons (no object made per comparison). */
  private sortKey(): SortKey & { at: number } {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters below read the columns through it
    const self = this;
    return {
      at: 0,
      get id() {
        return self.id(this.at);
      },
      get name() {
        return self.names[this.at];
      },
      get organizationId() {
        return self.organizationIds[self.organizations[this.at]];
      },
    };
  }

  /** The summaries from position `from` to `to` (exclusive) in the sorted order (as added before a sort). */
  page(from: number, to: number): WorkerSummary[] {
    const out: WorkerSummary[] = [];
    for (let k = from; k < Math.min(to, this.size); k++) out.push(this.at(k));
    return out;
  }

  /** Every summary, made one at a time, in the sorted order. */
  *[Symbol.iterator](): IterableIterator<WorkerSummary> {
    for (let k = 0; k < this.size; k++) yield this.at(k);
  }

  private at(k: number): WorkerSummary {
    return this.summary(this.order ? this.order[k] : k);
  }

  private summary(i: number): WorkerSummary {
    const s = this.statuses[i];
    const c = this.certificateStatuses[i];
    return {
      id: this.id(i),
      name: this.names[i],
      organizationId: this.organizationIds[this.organizations[i]],
      status: WORKER_STATUSES[s & ~OVERDUE],
      overdue: (s & OVERDUE) !== 0,
      certificate:
        c === NO_CERTIFICATE
          ? null
          : {
              serial: this.serials[i]!,
              status: CERTIFICATE_STATUSES[c] as CertificateStatus,
              validUntil: this.otherValidUntil.get(i) ?? new Date(this.validUntil[i]).toISOString(),
            },
    };
  }

  private id(i: number): string {
    const other = this.otherIds.get(i);
    if (other !== undefined) return other;
    const h = this.ids.toString('hex', i * 16, i * 16 + 16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  private grow(capacity: number): void {
    const ids = Buffer.alloc(capacity * 16);
    this.ids.copy(ids);
    this.ids = ids;
    this.organizations = copied(new Uint32Array(capacity), this.organizations);
    this.statuses = copied(new Uint8Array(capacity), this.statuses);
    this.certificateStatuses = copied(new Uint8Array(capacity), this.certificateStatuses);
    this.validUntil = copied(new Float64Array(capacity), this.validUntil);
  }
}

function copied<T extends Uint8Array | Uint32Array | Float64Array>(into: T, from: T): T {
  into.set(from as never);
  return into;
}
