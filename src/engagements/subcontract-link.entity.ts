import { Column, Entity } from 'typeorm';
import { DateColumn, IdColumn, InstantColumn, RefColumn } from '../database/columns';

export const LINK_STATUSES = ['pending_approval', 'approved', 'rejected'] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

/**
 * Article 5: (engagement, parent, child). An organization appears at most once
 * in an engagement's tree, so the links form a tree under the prime.
 */
@Entity('subcontract_links')
export class SubcontractLink {
  @IdColumn() id: string;
  @RefColumn({ name: 'engagement_id' }) engagementId: string;
  @RefColumn({ name: 'organization_id' }) organizationId: string;
  @RefColumn({ name: 'parent_organization_id' }) parentOrganizationId: string;
  /** 1 for a direct subcontractor of the prime, 2 below it, and so on. */
  @Column({ type: 'integer' }) tier: number;
  @Column({ type: 'varchar', length: 20 }) status: LinkStatus;
  @DateColumn({ name: 'decided_on', nullable: true }) decidedOn: string | null;
  /** The town's reference of the written consent (or of the refusal). */
  @Column({ type: 'varchar', length: 200, nullable: true }) reference: string | null;
  @RefColumn({ name: 'decided_by', nullable: true }) decidedBy: string | null;
  @InstantColumn({ name: 'created_at' }) createdAt: Date;
}
