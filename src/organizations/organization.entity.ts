import { Entity, Column } from 'typeorm';
import { IdColumn, InstantColumn } from '../database/columns';

@Entity('organizations')
export class Organization {
  @IdColumn() id: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  /** 法人番号, 13 digits with its leading check digit. */
  @Column({ name: 'corporate_number', type: 'varchar', length: 13, nullable: true, unique: true })
  corporateNumber: string | null;
  @InstantColumn({ name: 'created_at' }) createdAt: Date;
}
