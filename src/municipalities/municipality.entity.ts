import { Entity, Column } from 'typeorm';
import { IdColumn, InstantColumn } from '../database/columns';

@Entity('municipalities')
export class Municipality {
  @IdColumn() id: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  /** 全国地方公共団体コード, 6 digits with its check digit. */
  @Column({ type: 'varchar', length: 6, unique: true }) code: string;
  @InstantColumn({ name: 'created_at' }) createdAt: Date;
}
