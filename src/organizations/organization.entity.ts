import { Entity, Column } from 'typeorm';
import { IdColumn, InstantColumn, RefColumn } from '../database/columns';

@Entity('organizations')
export class Organization {
  @IdColumn() id: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  /** 法人番号, 13 digits with its leading check digit. */
  @Column({ name: 'corporate_number', type: 'varchar', length: 13, nullable: true, unique: true })
  corporateNumber: string | null;
  /** Who registered it: their side keeps seeing it before it is on an engagement. */
  @RefColumn({ name: 'created_by_organization_id', nullable: true }) createdByOrganizationId: string | null;
  @RefColumn({ name: 'created_by_municipality_id', nullable: true }) createdByMunicipalityId: string | null;
  @InstantColumn({ name: 'created_at' }) createdAt: Date;
}
