import type { SubcontractLink } from '../engagements/subcontract-link.entity';

type Link = Pick<SubcontractLink, 'organizationId' | 'parentOrganizationId' | 'status' | 'tier'> &
  Partial<Pick<SubcontractLink, 'decidedOn' | 'reference'>>;

/** An engagement's subcontract tree (Article 5): the prime at tier 0, links below it. */
export class SubcontractTree {
  private readonly children = new Map<string, string[]>();
  private readonly links = new Map<string, Link>();

  constructor(
    readonly primeId: string,
    links: Link[],
  ) {
    for (const l of links) {
      this.links.set(l.organizationId, l);
      const list = this.children.get(l.parentOrganizationId) ?? [];
      list.push(l.organizationId);
      this.children.set(l.parentOrganizationId, list);
    }
  }

  has(orgId: string): boolean {
    return orgId === this.primeId || this.links.has(orgId);
  }

  link(orgId: string): Link | undefined {
    return this.links.get(orgId);
  }

  tier(orgId: string): number {
    return orgId === this.primeId ? 0 : (this.links.get(orgId)?.tier ?? -1);
  }

  /** The organization and everything below it, in breadth-first order. */
  subtree(rootId: string): string[] {
    if (!this.has(rootId)) return [];
    const out = [rootId];
    for (let i = 0; i < out.length; i++) out.push(...(this.children.get(out[i]) ?? []));
    return out;
  }

  all(): string[] {
    return this.subtree(this.primeId);
  }

  /** Eligible for certificates: the prime, or a subcontractor whose link and every link above it is approved. */
  isApprovedChain(orgId: string): boolean {
    return this.isApprovedBetween(this.primeId, orgId);
  }

  /**
   * True when `ancestorId` is `orgId` itself, or above it with every link
   * from `orgId` up to (not including) the ancestor's own link approved:
   * the path along which a manager may see a descendant's people.
   */
  isApprovedBetween(ancestorId: string, orgId: string): boolean {
    if (!this.has(ancestorId)) return false;
    for (let id = orgId; id !== ancestorId;) {
      const l = this.links.get(id);
      if (!l || l.status !== 'approved') return false;
      id = l.parentOrganizationId;
    }
    return true;
  }

  /** True when `ancestorId` is `orgId` or above it. */
  isAtOrAbove(ancestorId: string, orgId: string): boolean {
    for (let id: string | undefined = orgId; id; id = this.links.get(id)?.parentOrganizationId) if (id === ancestorId) return true;
    return false;
  }
}
